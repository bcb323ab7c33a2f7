#include "server/delivery/delivery_worker.h"

#include "server/delivery/delivery_engine.h"

namespace mailjuke::delivery {

struct DeliveryWorker::Impl {
  Impl(net::Runtime& runtime, DeliveryOptions options, core::CoreContext& ctx,
       core::MailStore& store, core::MailDirectory& directory, core::mailauth::Resolver& resolver)
      : engine(runtime, std::move(options), ctx, store, resolver,
               [&directory](const std::string& address) -> std::optional<std::string> {
                 // DSNs to a hosted sender go straight into its INBOX.
                 auto account = directory.find(address);
                 if (!account) return std::nullopt;
                 return account->id;
               }) {}
  DeliveryEngine engine;
};

DeliveryWorker::DeliveryWorker(net::Runtime& runtime, DeliveryOptions options,
                               core::CoreContext& ctx, core::MailStore& store,
                               core::MailDirectory& directory, core::mailauth::Resolver& resolver)
    : impl_(std::make_unique<Impl>(runtime, std::move(options), ctx, store, directory, resolver)) {}

DeliveryWorker::~DeliveryWorker() { stop(); }
void DeliveryWorker::start() { impl_->engine.start(); }
void DeliveryWorker::stop() { impl_->engine.stop(); }
void DeliveryWorker::kick() { impl_->engine.kick(); }

}  // namespace mailjuke::delivery
