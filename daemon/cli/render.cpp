#include "cli/render.h"

#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "chain/explain.h"
#include "util/error.h"

namespace lp::cli {

namespace {

using eth::U256;

enum class Unit { kNone, kLpt, kEth, kPercent };

const std::set<std::string> kLptKeys = {"bondedAmount", "delegatedAmount", "pendingStake",
                                        "totalStake",   "lptBalance",      "totalBonded",
                                        "minted"};
const std::set<std::string> kEthKeys = {
    "fees",    "pendingFees",          "deposit", "ethBalance", "fundsRemaining",
    "reserve", "claimedInCurrentRound"};
const std::set<std::string> kLptAmountEndpoints = {
    "bond", "unbond", "rebond", "withdrawStake", "transferTokens", "delegatorInfo", "status"};

Unit unit_of(const std::string &endpoint, const std::string &key) {
  if (kLptKeys.count(key)) {
    return Unit::kLpt;
  }
  if (kEthKeys.count(key)) {
    return Unit::kEth;
  }
  if (key == "rewardCut" || key == "feeShare") {
    return Unit::kPercent;
  }
  if (key == "amount") {
    return kLptAmountEndpoints.count(endpoint) ? Unit::kLpt : Unit::kEth;
  }
  return Unit::kNone;
}

std::string percent(const std::string &ppm) {
  mpz_class v(ppm);
  mpz_class whole = v / 10000;
  mpz_class frac = v % 10000;
  std::string f = frac.get_str();
  f = std::string(4 - f.size(), '0') + f;
  while (!f.empty() && f.back() == '0') {
    f.pop_back();
  }
  return whole.get_str() + (f.empty() ? "" : "." + f) + "%";
}

std::string value_text(const std::string &endpoint, const std::string &key, JsonNode *n) {
  if (JSON_NODE_HOLDS_NULL(n)) {
    return "-";
  }
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_BOOLEAN) {
    return json_node_get_boolean(n) ? "yes" : "no";
  }
  if (t == G_TYPE_INT64) {
    return std::to_string(json_node_get_int(n));
  }
  std::string s = json_node_get_string(n) ? json_node_get_string(n) : "";
  Unit u = unit_of(endpoint, key);
  if (u == Unit::kNone || s.empty() || s.find_first_not_of("0123456789") != std::string::npos) {
    return s;
  }
  if (u == Unit::kPercent) {
    return percent(s);
  }
  std::string whole = chain::format_units(U256::parse(s), u == Unit::kLpt ? "LPT" : "ETH");
  return s == "0" ? whole : whole + " (" + s + " wei)";
}

void render(const std::string &endpoint, JsonNode *node, int indent, std::ostringstream &out);

void render_object(const std::string &endpoint, JsonObject *o, int indent,
                   std::ostringstream &out) {
  GList *members = json_object_get_members(o);
  for (GList *m = members; m; m = m->next) {
    const char *key = static_cast<const char *>(m->data);
    JsonNode *v = json_object_get_member(o, key);
    std::string pad(indent, ' ');
    if (std::string(key) == "transactions" && JSON_NODE_HOLDS_ARRAY(v)) {
      JsonArray *txs = json_node_get_array(v);
      for (guint i = 0; i < json_array_get_length(txs); ++i) {
        JsonObject *tx = json_array_get_object_element(txs, i);
        out << pad << "tx " << json_object_get_string_member(tx, "hash") << "  "
            << json_object_get_string_member(tx, "what") << " (block "
            << json_object_get_int_member(tx, "block") << ", gas "
            << json_object_get_int_member(tx, "gasUsed") << ")\n";
      }
      continue;
    }
    if (JSON_NODE_HOLDS_OBJECT(v)) {
      out << pad << key << ":\n";
      render_object(endpoint, json_node_get_object(v), indent + 2, out);
    } else if (JSON_NODE_HOLDS_ARRAY(v)) {
      JsonArray *a = json_node_get_array(v);
      out << pad << key << ":" << (json_array_get_length(a) ? "\n" : " none\n");
      for (guint i = 0; i < json_array_get_length(a); ++i) {
        out << pad << "  - " << (i + 1) << "\n";
        render(endpoint, json_array_get_element(a, i), indent + 4, out);
      }
    } else {
      out << pad << key << ": " << value_text(endpoint, key, v) << "\n";
    }
  }
  g_list_free(members);
}

void render(const std::string &endpoint, JsonNode *node, int indent, std::ostringstream &out) {
  if (JSON_NODE_HOLDS_OBJECT(node)) {
    render_object(endpoint, json_node_get_object(node), indent, out);
  } else {
    out << std::string(indent, ' ') << value_text(endpoint, "", node) << "\n";
  }
}

std::string get(JsonNode *n, const char *key) {
  JsonObject *o = json_node_get_object(n);
  if (!json_object_has_member(o, key)) {
    return "";
  }
  JsonNode *v = json_object_get_member(o, key);
  if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING) {
    return json_node_get_string(v);
  }
  return "";
}

std::string lpt(JsonNode *n, const char *key) {
  std::string v = get(n, key);
  return v.empty() ? "?" : chain::format_units(U256::parse(v), "LPT");
}
std::string ethv(JsonNode *n, const char *key) {
  std::string v = get(n, key);
  return v.empty() ? "?" : chain::format_units(U256::parse(v), "ETH");
}

// One line saying what a transaction did.
const std::map<std::string, std::function<std::string(JsonNode *)>> &summaries() {
  static const std::map<std::string, std::function<std::string(JsonNode *)>> s = {
      {"bond", [](JsonNode *n) { return "bonded " + lpt(n, "amount") + " to " + get(n, "to"); }},
      {"unbond",
       [](JsonNode *n) {
         return "unbonded " + lpt(n, "amount") + " as unbonding lock " + get(n, "unbondingLockId") +
                ", withdrawable from round " + get(n, "withdrawRound");
       }},
      {"rebond",
       [](JsonNode *n) {
         return "rebonded unbonding lock " + get(n, "unbondingLockId") + " to " + get(n, "to");
       }},
      {"withdrawStake",
       [](JsonNode *n) {
         return "withdrew " + lpt(n, "amount") + " of unbonding lock " + get(n, "unbondingLockId");
       }},
      {"withdrawFees",
       [](JsonNode *n) {
         return "withdrew " + ethv(n, "amount") + " of fees to " + get(n, "recipient");
       }},
      {"claimEarnings",
       [](JsonNode *n) {
         return "claimed earnings through round " + get(n, "lastClaimRound") + ": bonded " +
                lpt(n, "bondedAmount") + ", fees " + ethv(n, "fees");
       }},
      {"reward", [](JsonNode *n) { return "reward: minted " + lpt(n, "minted"); }},
      {"activateOrchestrator",
       [](JsonNode *n) {
         return "registered as an orchestrator, active from round " + get(n, "activationRound");
       }},
      {"initializeRound",
       [](JsonNode *n) {
         JsonObject *o = json_node_get_object(n);
         bool already = json_object_get_boolean_member(o, "alreadyInitialized");
         return "round " + get(n, "round") +
                (already ? " was already initialized" : " initialized");
       }},
      {"transferTokens",
       [](JsonNode *n) { return "sent " + lpt(n, "amount") + " to " + get(n, "to"); }},
      {"withdraw",
       [](JsonNode *n) {
         return "withdrew deposit " + ethv(n, "deposit") + " and reserve " + ethv(n, "reserve");
       }},
      {"fundDeposit", [](JsonNode *) { return "deposit funded"; }},
      {"fundReserve", [](JsonNode *) { return "reserve funded"; }},
      {"fundDepositAndReserve", [](JsonNode *) { return "deposit and reserve funded"; }},
      {"unlock", [](JsonNode *) { return "unlock started"; }},
      {"cancelUnlock", [](JsonNode *) { return "unlock cancelled"; }},
  };
  return s;
}

}  // namespace

std::string render_human(const std::string &endpoint, JsonNode *result) {
  std::ostringstream out;
  auto it = summaries().find(endpoint);
  if (it != summaries().end()) {
    out << it->second(result) << "\n";
  }
  render(endpoint, result, 0, out);
  return out.str();
}

U256 parse_amount(const std::string &text, const std::string &what) {
  std::string number;
  std::string unit;
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    number += text[i++];
  }
  while (i < text.size() && text[i] == ' ') {
    ++i;
  }
  for (; i < text.size(); ++i) {
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  int decimals = 0;
  if (unit == "lpt" || unit == "eth") {
    decimals = 18;
  } else if (unit == "gwei") {
    decimals = 9;
  } else if (!unit.empty() && unit != "wei") {
    throw Error(what + ": unknown unit \"" + unit + "\" (use LPT, ETH, gwei or wei)");
  }
  size_t dot = number.find('.');
  std::string whole = number.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : number.substr(dot + 1);
  if (number.empty() || (whole.empty() && frac.empty()) || frac.find('.') != std::string::npos) {
    throw Error(what + ": expected an amount such as 100LPT, 0.5ETH, 20gwei or 1000 (wei)");
  }
  if (frac.size() > static_cast<size_t>(decimals)) {
    throw Error(what + ": more decimals than the unit has (" + std::to_string(decimals) + ")");
  }
  std::string digits = whole + frac + std::string(decimals - frac.size(), '0');
  size_t nz = digits.find_first_not_of('0');
  return U256::parse(nz == std::string::npos ? "0" : digits.substr(nz), what);
}

}  // namespace lp::cli
