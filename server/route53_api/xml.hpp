// The wire format of the Route 53 REST API (semantics §6, §4 "Envelope"): XML request bodies read
// into YAML nodes (so the config module's parsers validate them exactly as they validate files),
// and replies written from JSON objects in AWS's shape, in their member order.
#pragma once

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/http_types.hpp"

namespace r53::server::route53 {

inline constexpr const char* kXmlNamespace = "https://route53.amazonaws.com/doc/2013-04-01/";

// The children of the document's root element as a YAML map (lists by their AWS wrapper names:
// <Regions><Region>..</Region></Regions> becomes a sequence). `root` receives the root's name.
// nullopt with `error` set when the body is not well-formed XML, has a DTD, nests too deep,
// or its root is not in the Route 53 namespace.
std::optional<YAML::Node> parse_xml_request(const std::string& body, std::string& root,
                                            std::string& error);

// Whether an element is a list wrapper (<Regions>, <Changes>, ...), per the botocore model.
bool is_xml_list(std::string_view element);

// `<Root xmlns="...">` + `body` rendered as XML. Lists use their AWS member element names.
std::string render_xml(const std::string& root, const boost::json::object& body);

// A reply with content-type text/xml and x-amz-request-id.
HttpResponse xml_reply(http::status status, const std::string& root,
                       const boost::json::object& body, unsigned version);
HttpResponse empty_reply(http::status status, const std::string& root, unsigned version);
// The ErrorResponse envelope.
HttpResponse aws_error(http::status status, const std::string& code, const std::string& message,
                       unsigned version);

// "2026-12-01T18:53:17.123Z"
std::string iso8601(std::chrono::system_clock::time_point t);
std::string iso8601(double unix_seconds);
double unix_now();

std::string random_id(char prefix, size_t length);  // "C" + upper-case letters and digits
std::string random_uuid();

}  // namespace r53::server::route53
