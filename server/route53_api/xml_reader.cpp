// Request bodies read with libxml2: well-formedness as the XML 1.0 spec defines it (matching
// tags, one root, defined entities only), no network, no DTD, no entity expansion, and the
// Route 53 namespace (or none) on the root. A body that breaks any of this is
// MalformedInput, never a partial read.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <cstring>
#include <memory>

#include "server/route53_api/xml.hpp"

namespace r53::server::route53 {
namespace {

// Route 53 bodies nest at most eight levels (ChangeBatch > Changes > Change >
// ResourceRecordSet > ...); anything far deeper is not a Route 53 request.
constexpr int kMaxDepth = 32;

struct DocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct ContextFree {
    void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

std::string name_of(const xmlNode* n) {
    return reinterpret_cast<const char*>(n->name);
}

std::string text_of(const xmlNode* n) {
    std::string out;
    for (const xmlNode* c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            out += reinterpret_cast<const char*>(c->content);
    return out;
}

bool has_element_children(const xmlNode* n) {
    for (const xmlNode* c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) return true;
    return false;
}

std::optional<YAML::Node> to_yaml(const xmlNode* element, int depth, std::string& error) {
    if (depth > kMaxDepth) {
        error = "elements nest deeper than " + std::to_string(kMaxDepth) + " levels";
        return std::nullopt;
    }
    const std::string name = name_of(element);
    if (is_xml_list(name)) {
        YAML::Node seq(YAML::NodeType::Sequence);
        for (const xmlNode* c = element->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            auto item = to_yaml(c, depth + 1, error);
            if (!item) return std::nullopt;
            seq.push_back(*item);
        }
        return seq;
    }
    if (!has_element_children(element)) return YAML::Node(text_of(element));
    YAML::Node map(YAML::NodeType::Map);
    for (const xmlNode* c = element->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        auto child = to_yaml(c, depth + 1, error);
        if (!child) return std::nullopt;
        map[name_of(c)] = *child;
    }
    return map;
}

// libxml2's message for the first error, with its position: "line 1: Opening and ending tag
// mismatch: B line 1 and C".
std::string parse_error(xmlParserCtxt* context) {
    const xmlError* e = xmlCtxtGetLastError(context);
    if (!e || !e->message) return "the body is not well-formed XML";
    std::string message = e->message;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    return "line " + std::to_string(e->line) + ": " + message;
}

}  // namespace

std::optional<YAML::Node> parse_xml_request(const std::string& body, std::string& root,
                                            std::string& error) {
    // libxml2 sets up its global tables once, before any thread parses.
    static const bool initialized = (xmlInitParser(), true);
    (void)initialized;
    std::unique_ptr<xmlParserCtxt, ContextFree> context(xmlNewParserCtxt());
    if (!context) {
        error = "out of memory";
        return std::nullopt;
    }
    // No XML_PARSE_NOENT (no entity substitution), no DTDLOAD/DTDATTR, no HUGE (libxml2 keeps
    // its depth and size limits). NOERROR/NOWARNING: errors are read from the context, never
    // printed to the server's stderr. NOCDATA: CDATA sections read as text.
    const int options =
        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(context.get(), body.data(),
                                                           static_cast<int>(body.size()),
                                                           "request.xml", "UTF-8", options));
    if (!doc || !context->wellFormed) {
        error = parse_error(context.get());
        return std::nullopt;
    }
    if (doc->intSubset || doc->extSubset) {
        error = "a document type declaration is not allowed";
        return std::nullopt;
    }
    const xmlNode* top = xmlDocGetRootElement(doc.get());
    if (!top) {
        error = "the request has no root element";
        return std::nullopt;
    }
    // The SDKs always send the Route 53 namespace; a hand-written body (curl) may leave it out,
    // which is read as Route 53's. Any other namespace is another API's document.
    if (top->ns && top->ns->href &&
        std::strcmp(reinterpret_cast<const char*>(top->ns->href), kXmlNamespace) != 0) {
        error = std::string("the root element must be in the namespace ") + kXmlNamespace;
        return std::nullopt;
    }
    root = name_of(top);
    YAML::Node map(YAML::NodeType::Map);
    for (const xmlNode* c = top->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        auto child = to_yaml(c, 2, error);
        if (!child) return std::nullopt;
        map[name_of(c)] = *child;
    }
    return map;
}

}  // namespace r53::server::route53
