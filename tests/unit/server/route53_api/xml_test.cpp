// The Route 53 API's XML wire format (semantics §6, §4 "Envelope"), without a server.
#include "server/route53_api/xml.hpp"

#include <gtest/gtest.h>

namespace r53::server::route53 {
namespace {

TEST(Route53Xml, RequestListsBecomeSequences) {
    std::string root, error;
    auto node = parse_xml_request(
        R"(<?xml version="1.0"?><CreateHealthCheckRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
<CallerReference>ref &amp; co</CallerReference><HealthCheckConfig><Type>HTTPS</Type><Port>443</Port>
<Regions><Region>us-east-1</Region><Region>eu-west-1</Region></Regions></HealthCheckConfig>
</CreateHealthCheckRequest>)",
        root, error);
    ASSERT_TRUE(node) << error;
    EXPECT_EQ(root, "CreateHealthCheckRequest");
    EXPECT_EQ((*node)["CallerReference"].Scalar(), "ref & co");
    YAML::Node regions = (*node)["HealthCheckConfig"]["Regions"];
    ASSERT_TRUE(regions.IsSequence());
    ASSERT_EQ(regions.size(), 2u);
    EXPECT_EQ(regions[1].Scalar(), "eu-west-1");
    EXPECT_EQ((*node)["HealthCheckConfig"]["Port"].Scalar(), "443");
}

TEST(Route53Xml, MalformedBodyIsAnError) {
    std::string root, error;
    EXPECT_FALSE(parse_xml_request("<CreateHealthCheckRequest><Caller", root, error));
    EXPECT_FALSE(error.empty());
}

// Each of these is not well-formed XML 1.0 (or not a Route 53 document) and must be refused
// whole: a reader that accepted any of them would act on a body the SDKs never send.
TEST(Route53Xml, RefusesWhatXmlDoesNotAllow) {
    const char* bodies[] = {
        "<A><B>x</C></A>",                                      // mismatched end tag
        "<A>&bogus;</A>",                                       // undefined entity
        "<A>fish & chips</A>",                                  // bare ampersand
        "<A/><B/>",                                             // a second root
        "<A xmlns=\"https://example.com/other\"><B>x</B></A>",  // another API's namespace
        "<!DOCTYPE A [<!ENTITY e \"boom\">]><A>&e;</A>",        // a DTD with an entity
        "<!DOCTYPE A><A/>",                                     // any DTD at all
        "",                                                     // nothing
    };
    for (const char* body : bodies) {
        std::string root, error;
        EXPECT_FALSE(parse_xml_request(body, root, error)) << body;
        EXPECT_FALSE(error.empty()) << body;
    }
}

TEST(Route53Xml, ErrorNamesTheLine) {
    std::string root, error;
    ASSERT_FALSE(parse_xml_request("<A>\n<B>x</C>\n</A>", root, error));
    EXPECT_EQ(error.rfind("line 2: ", 0), 0u) << error;
}

TEST(Route53Xml, RefusesDeepNesting) {
    std::string body;
    for (int i = 0; i < 40; ++i) body += "<E>";
    for (int i = 0; i < 40; ++i) body += "</E>";
    std::string root, error;
    EXPECT_FALSE(parse_xml_request("<A>" + body + "</A>", root, error));
    EXPECT_NE(error.find("nest"), std::string::npos) << error;
}

TEST(Route53Xml, CommentsAndCdataReadAsText) {
    std::string root, error;
    auto node = parse_xml_request("<A><!-- note --><B><![CDATA[a<b]]></B><C>x<!-- y -->z</C></A>",
                                  root, error);
    ASSERT_TRUE(node) << error;
    EXPECT_EQ(root, "A");
    EXPECT_EQ((*node)["B"].Scalar(), "a<b");
    EXPECT_EQ((*node)["C"].Scalar(), "xz");
}

TEST(Route53Xml, ControlCharactersInRepliesBecomeReplacementCharacters) {
    boost::json::object body{{"Comment", std::string("a\x01"
                                                     "b\tc")}};
    std::string xml = render_xml("R", body);
    EXPECT_NE(xml.find("<Comment>a\xEF\xBF\xBD"
                       "b\tc</Comment>"),
              std::string::npos)
        << xml;
    // The reply reads back as XML.
    std::string root, error;
    auto node = parse_xml_request(xml, root, error);
    ASSERT_TRUE(node) << error;
    EXPECT_EQ((*node)["Comment"].Scalar(),
              "a\xEF\xBF\xBD"
              "b\tc");
}

TEST(Route53Xml, RepliesUseMemberNamesAndEscape) {
    boost::json::object body{
        {"DelegationSet", boost::json::object{{"NameServers", boost::json::array{"a", "b"}}}},
        {"Comment", "<x&y>"},
        {"IsTruncated", false},
        {"Count", 3}};
    EXPECT_EQ(render_xml("R", body),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R "
              "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><DelegationSet><NameServers>"
              "<NameServer>a</NameServer><NameServer>b</NameServer></NameServers></DelegationSet>"
              "<Comment>&lt;x&amp;y&gt;</Comment><IsTruncated>false</IsTruncated><Count>3</Count>"
              "</R>");
}

TEST(Route53Xml, ErrorEnvelope) {
    auto res = aws_error(http::status::not_found, "NoSuchHostedZone", "No hosted zone found", 11);
    EXPECT_EQ(res.result(), http::status::not_found);
    std::string id(res["x-amz-request-id"]);
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(res.body(),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse "
              "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type>"
              "<Code>NoSuchHostedZone</Code><Message>No hosted zone found</Message></Error>"
              "<RequestId>" +
                  id + "</RequestId></ErrorResponse>");
    EXPECT_EQ(res[http::field::content_type], "text/xml");
}

TEST(Route53Xml, Ids) {
    std::string zone = random_id('Z', 20);
    EXPECT_EQ(zone.size(), 21u);
    EXPECT_EQ(zone[0], 'Z');
    for (char c : zone) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    EXPECT_NE(random_uuid(), random_uuid());
    EXPECT_EQ(iso8601(0.25), "1970-01-01T00:00:00.250Z");
}

}  // namespace
}  // namespace r53::server::route53
