#include "server/route53_store.hpp"

namespace r53::server {

struct Route53Store::Impl {
    std::optional<std::string> state_dir;
};

Route53Store::Route53Store(std::optional<std::string> state_dir) : impl_(std::make_unique<Impl>()) {
    impl_->state_dir = std::move(state_dir);
}

Route53Store::~Route53Store() = default;

config::ConfigPtr Route53Store::merge(const config::ConfigPtr& file_config) const {
    return file_config;
}

}  // namespace r53::server
