// lp-cli's human-readable output of an operation's JSON answer: a summary line for
// transactions, then the fields as indented "name: value" lines, with LPT and ETH amounts in
// whole units (wei in parentheses) and commission rates in percent. --json prints the JSON as is.
#pragma once

#include <json-glib/json-glib.h>

#include <string>

#include "eth/uint256.h"

namespace lp::cli {

std::string render_human(const std::string &endpoint, JsonNode *result);

// "1.5LPT", "0.1 eth", "20gwei", "1000" (wei): the amount in wei. Throws lp::Error naming `what`.
eth::U256 parse_amount(const std::string &text, const std::string &what);

}  // namespace lp::cli
