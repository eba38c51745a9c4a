// lp-cli: the command-line companion of lp-daemon. This build carries the offline commands
// (hashing, keystores, signatures, tickets); see cli/command.h for how command groups plug in.
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"

int main(int argc, char **argv) {
  std::vector<lp::cli::Command> table = lp::cli::offline_commands();
  std::vector<std::string> args(argv + 1, argv + argc);
  lp::cli::Io io{std::cin, std::cout, std::cerr};
  int rc = lp::cli::dispatch(table, args, io);
  std::cout.flush();
  return rc;
}
