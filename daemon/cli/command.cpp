#include "cli/command.h"

#include <iostream>

#include "util/error.h"

namespace lp::cli {

std::optional<std::string> Args::get(const std::string &name) const {
  auto it = options.find(name);
  if (it == options.end()) {
    return std::nullopt;
  }
  return it->second;
}

const std::string &Args::require(const std::string &name) const {
  auto it = options.find(name);
  if (it == options.end()) {
    throw UsageError("missing --" + name);
  }
  return it->second;
}

std::string Command::usage() const {
  std::string s = "lp-cli";
  for (const std::string &w : path) {
    s += " " + w;
  }
  for (const OptionSpec &o : options) {
    std::string opt = "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    s += o.required ? " " + opt : " [" + opt + "]";
  }
  if (!positional_usage.empty()) {
    s += " " + positional_usage;
  }
  return s;
}

Args parse_args(const Command &cmd, const std::vector<std::string> &words) {
  Args args;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string &w = words[i];
    if (w.size() > 2 && w.compare(0, 2, "--") == 0) {
      std::string name = w.substr(2);
      std::optional<std::string> inline_value;
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const OptionSpec *spec = nullptr;
      for (const OptionSpec &o : cmd.options) {
        if (o.name == name) {
          spec = &o;
        }
      }
      if (!spec) {
        throw UsageError("unknown option --" + name);
      }
      if (args.options.count(name)) {
        throw UsageError("--" + name + " given twice");
      }
      if (spec->value_name.empty()) {
        if (inline_value) {
          throw UsageError("--" + name + " takes no value");
        }
        args.options[name] = "";
      } else if (inline_value) {
        args.options[name] = *inline_value;
      } else {
        if (i + 1 >= words.size()) {
          throw UsageError("--" + name + " needs a value (" + spec->value_name + ")");
        }
        args.options[name] = words[++i];
      }
      continue;
    }
    args.positional.push_back(w);
  }
  for (const OptionSpec &o : cmd.options) {
    if (o.required && !args.has(o.name)) {
      throw UsageError("missing --" + o.name);
    }
  }
  if (args.positional.size() != cmd.positional_count) {
    throw UsageError("expected " + std::to_string(cmd.positional_count) + " argument(s)" +
                     (cmd.positional_usage.empty() ? "" : ": " + cmd.positional_usage));
  }
  return args;
}

static void print_help(const std::vector<Command> &table, std::ostream &os) {
  os << "usage: lp-cli COMMAND [OPTIONS] [ARGS]\n\ncommands:\n";
  for (const Command &c : table) {
    os << "  " << c.usage() << "\n      " << c.summary << "\n";
  }
}

int dispatch(const std::vector<Command> &table, const std::vector<std::string> &argv, Io &io) {
  if (argv.empty() || argv[0] == "help" || argv[0] == "--help" || argv[0] == "-h") {
    print_help(table, argv.empty() ? io.err : io.out);
    return argv.empty() ? 2 : 0;
  }
  const Command *best = nullptr;
  for (const Command &c : table) {
    if (c.path.size() > argv.size()) {
      continue;
    }
    bool match = true;
    for (size_t i = 0; i < c.path.size(); ++i) {
      match = match && c.path[i] == argv[i];
    }
    if (match && (!best || c.path.size() > best->path.size())) {
      best = &c;
    }
  }
  if (!best) {
    std::string group;
    for (const Command &c : table) {
      if (c.path.size() > 1 && c.path[0] == argv[0]) {
        group += "\n  " + c.usage();
      }
    }
    if (!group.empty()) {
      io.err << "lp-cli: \"" << argv[0] << "\" needs a subcommand:" << group << "\n";
    } else {
      io.err << "lp-cli: unknown command \"" << argv[0] << "\" (try lp-cli help)\n";
    }
    return 2;
  }
  std::vector<std::string> rest(argv.begin() + static_cast<long>(best->path.size()), argv.end());
  try {
    Args args = parse_args(*best, rest);
    return best->run(args, io);
  } catch (const UsageError &e) {
    io.err << "lp-cli: " << e.what() << "\nusage: " << best->usage() << "\n";
    return 2;
  } catch (const Error &e) {
    io.err << "lp-cli: " << e.what() << "\n";
    return 1;
  } catch (const std::exception &e) {
    io.err << "lp-cli: unexpected error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace lp::cli
