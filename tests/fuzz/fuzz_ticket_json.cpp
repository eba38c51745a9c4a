// Tickets, ticket params and payments reach the orchestrator as JSON from broadcasters. Whatever
// parses must survive a trip through its JSON form unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pm/params.h"
#include "util/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  lp::JsonNodePtr root;
  try {
    root = lp::json::parse(text);
  } catch (const lp::Error &) {
    return 0;
  }
  try {
    lp::pm::Ticket t = lp::pm::ticket_from_json(lp::json::ObjectReader(root.get(), ""));
    lp::JsonNodePtr back = lp::pm::to_json(t);
    lp::pm::Ticket t2 = lp::pm::ticket_from_json(lp::json::ObjectReader(back.get(), ""));
    if (t2.hash() != t.hash()) {
      std::abort();
    }
  } catch (const lp::Error &) {
  }
  try {
    lp::pm::TicketBatch b = lp::pm::ticket_batch_from_json(lp::json::ObjectReader(root.get(), ""));
    lp::JsonNodePtr back = lp::pm::to_json(b);
    lp::pm::TicketBatch b2 = lp::pm::ticket_batch_from_json(lp::json::ObjectReader(back.get(), ""));
    if (b2.sender_params.size() != b.sender_params.size() ||
        (!b.sender_params.empty() && b2.ticket(0).hash() != b.ticket(0).hash())) {
      std::abort();
    }
  } catch (const lp::Error &) {
  }
  try {
    (void)lp::pm::ticket_params_from_json(lp::json::ObjectReader(root.get(), ""));
  } catch (const lp::Error &) {
  }
  return 0;
}
