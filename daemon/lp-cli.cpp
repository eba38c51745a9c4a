// lp-cli: the command-line companion of lp-daemon: offline commands (hashing, keystores,
// signatures, tickets) and chain commands (deploy, staking, funding, reads); see cli/command.h
// for how command groups plug in.
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"

int main(int argc, char **argv) {
  std::vector<lp::cli::Command> table = lp::cli::offline_commands();
  for (lp::cli::Command &c : lp::cli::chain_commands()) {
    table.push_back(std::move(c));
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  lp::cli::Io io{std::cin, std::cout, std::cerr};
  int rc = lp::cli::dispatch(table, args, io);
  std::cout.flush();
  return rc;
}
