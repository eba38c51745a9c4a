// lp-cli's command table. Each command is a path of words ("ticket", "sign"), the options it takes
// and a handler; lp-cli.cpp assembles the table from per-area lists (offline_commands(),
// chain_commands()).
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lp::cli {

struct OptionSpec {
  std::string name;        // without the leading "--"
  std::string value_name;  // "" for a flag without a value
  bool required = false;
  std::string help;
};

// The parsed command line of one command.
class Args {
 public:
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // flags map to ""

  bool has(const std::string &name) const { return options.count(name) != 0; }
  std::optional<std::string> get(const std::string &name) const;
  const std::string &require(const std::string &name) const;
};

struct Io {
  std::istream &in;
  std::ostream &out;
  std::ostream &err;
};

struct Command {
  std::vector<std::string> path;
  std::string positional_usage;  // e.g. "0xDIGEST32 0xSIG"
  size_t positional_count = 0;
  std::vector<OptionSpec> options;
  std::string summary;
  // Returns the exit status. Errors are reported by throwing lp::Error (exit 1).
  std::function<int(const Args &, Io &)> run;

  std::string usage() const;
};

// A usage mistake (unknown option, missing argument): exit status 2 with the command's usage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the words after the command path against the command's options.
Args parse_args(const Command &cmd, const std::vector<std::string> &words);

std::vector<Command> offline_commands();
// Deployment, staking, funding and chain reads (chain.cpp).
std::vector<Command> chain_commands();

// Finds the command whose path is the longest prefix of argv (after the program name) and runs
// it; prints usage for "help", unknown commands and usage errors.
int dispatch(const std::vector<Command> &table, const std::vector<std::string> &argv, Io &io);

}  // namespace lp::cli
