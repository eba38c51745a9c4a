// Runs binding queries with eth_call and decodes the answers, and resolves the protocol's
// contract addresses through the Controller.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "chain/bindings.h"
#include "chain/result.h"
#include "eth/jsonrpc.h"

namespace lp::chain {

class Reader {
 public:
  explicit Reader(eth::RpcClient &rpc) : rpc_(rpc) {}

  template <typename T>
  void read(const Query<T> &query, Callback<T> done,
            const eth::BlockTag &block = eth::BlockTag::latest()) const {
    eth::CallRequest req;
    req.to = query.call.to;
    req.data = query.call.data;
    rpc_.eth_call(
        req, block,
        [decode = query.decode, what = query.call.what,
         done = std::move(done)](eth::RpcResult<Bytes> r) {
          if (!r.ok()) {
            done(ChainError::from_rpc(r.error(), what));
            return;
          }
          std::optional<T> value;
          std::string problem;
          try {
            value.emplace(decode(r.value()));
          } catch (const Error &e) {
            problem = e.what();
          }
          if (value) {
            done(std::move(*value));
          } else {
            // Empty return data is what a call to an address without code gives.
            done(ChainError::make(
                ChainError::Kind::kMalformed,
                what + ": cannot decode the answer" +
                    (r.value().empty() ? " (no contract at this address?)" : ": " + problem)));
          }
        });
  }

  eth::RpcClient &rpc() const { return rpc_; }

 private:
  eth::RpcClient &rpc_;
};

// Several reads at once; `done` runs once after the last one finished, with the first error.
// Each read stores its value through the setter given with it.
class ReadBatch : public std::enable_shared_from_this<ReadBatch> {
 public:
  using Done = std::function<void(std::optional<ChainError>)>;
  static std::shared_ptr<ReadBatch> make(const Reader &reader) {
    return std::shared_ptr<ReadBatch>(new ReadBatch(reader));
  }

  template <typename T>
  ReadBatch &add(const Query<T> &query, std::function<void(T)> store) {
    starts_.push_back(
        [query, store = std::move(store)](const Reader &r, std::shared_ptr<ReadBatch> self) {
          r.read<T>(query, [self, store](Result<T> res) {
            if (res.ok()) {
              store(std::move(res.value()));
            } else if (!self->error_) {
              self->error_ = res.error();
            }
            self->finish_one();
          });
        });
    return *this;
  }

  void run(Done done);

 private:
  explicit ReadBatch(const Reader &reader) : reader_(reader) {}
  void finish_one();

  const Reader &reader_;
  std::vector<std::function<void(const Reader &, std::shared_ptr<ReadBatch>)>> starts_;
  size_t outstanding_ = 0;
  std::optional<ChainError> error_;
  Done done_;
};

// Looks every contract up in the Controller (getContract(keccak256(name))); a name the
// Controller does not know is an error naming it.
void resolve_contracts(const Reader &reader, const Address &controller,
                       Callback<ContractAddresses> done);

}  // namespace lp::chain
