// Text-format log lines: a value from a request cannot forge a line or a field.
#include <gtest/gtest.h>

#include "server/log.hpp"

namespace r53::server {
namespace {

TEST(TextLog, PlainValuesStayBare) {
    EXPECT_EQ(text_log_value("app.example.com."), "app.example.com.");
    EXPECT_EQ(text_log_value("198.51.100.7:53"), "198.51.100.7:53");
}

TEST(TextLog, ValuesThatCouldForgeAreQuotedAndEscaped) {
    EXPECT_EQ(text_log_value(""), "\"\"");
    EXPECT_EQ(text_log_value("a b"), "\"a b\"");
    EXPECT_EQ(text_log_value("x\" level=error"), "\"x\\\" level=error\"");
    EXPECT_EQ(text_log_value("a\\b"), "\"a\\\\b\"");
    EXPECT_EQ(text_log_value("k=v"), "\"k=v\"");
    EXPECT_EQ(text_log_value("one\n2026-12-04T00:00:00.000Z error forged"),
              "\"one\\n2026-12-04T00:00:00.000Z error forged\"");
    EXPECT_EQ(text_log_value(std::string("\r\t\x01\x7F", 4)), "\"\\r\\t\\x01\\x7F\"");
}

TEST(TextLog, MessagesKeepQuotesButNotLineBreaks) {
    EXPECT_EQ(text_log_message("reload failed: \"x\""), "reload failed: \"x\"");
    EXPECT_EQ(text_log_message("line one\nline two"), "line one\\nline two");
    EXPECT_EQ(text_log_message("C:\\path"), "C:\\\\path");
}

}  // namespace
}  // namespace r53::server
