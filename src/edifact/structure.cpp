#include "edifact/structure.hpp"

#include "edifact/diagnostics.hpp"

#include <algorithm>
#include <optional>

namespace portscreen::edifact {

namespace {

constexpr StructureNode seg(std::string_view tag, std::uint16_t max_repeat,
                            bool mandatory = false) {
    return StructureNode{tag, Group::none, max_repeat, mandatory, {}};
}

constexpr StructureNode group(Group kind, std::uint16_t max_repeat, bool mandatory,
                              std::span<const StructureNode> children) {
    return StructureNode{children.front().tag, kind, max_repeat, mandatory, children};
}

constexpr bool kM = true; // mandatory

// The trees below are transcribed from the CUSCAR message structures of the UN/EDIFACT
// directories (UNTDID D.95B, D.96B, D.03B; D.11A, D.16A and D.21B repeat D.03B's tree).

namespace d95b {
constexpr StructureNode kReefer[] = {seg("TMP", 1, kM), seg("RNG", 1)};
constexpr StructureNode kVoyage[] = {seg("TDT", 1, kM), seg("LOC", 99), seg("DTM", 99)};
constexpr StructureNode kEquipment[] = {
    seg("EQD", 1, kM), seg("TSR", 9), seg("MEA", 9), seg("DIM", 9),
    seg("SEL", 9),     seg("NAD", 9), seg("GIS", 9), group(Group::reefer, 9, false, kReefer)};
constexpr StructureNode kLeg[] = {seg("TDT", 1, kM), seg("LOC", 9), seg("DTM", 9), seg("RFF", 9)};
constexpr StructureNode kContact[] = {seg("CTA", 1, kM), seg("COM", 9)};
constexpr StructureNode kParty[] = {seg("NAD", 1, kM), seg("RFF", 9),
                                    group(Group::contact, 9, false, kContact)};
constexpr StructureNode kInstruction[] = {seg("QTY", 1, kM), seg("FTX", 9)};
constexpr StructureNode kGoodsInformation[] = {seg("GIS", 1, kM), seg("DOC", 9)};
constexpr StructureNode kGoodsQuantity[] = {seg("QTY", 1, kM), seg("FTX", 1)};
constexpr StructureNode kGoods[] = {seg("GID", 1, kM),
                                    seg("PAC", 9),
                                    seg("HAN", 9),
                                    seg("FTX", 99),
                                    seg("MEA", 99),
                                    seg("MOA", 9),
                                    seg("SGP", 99),
                                    seg("DGS", 9),
                                    seg("PCI", 9),
                                    seg("CST", 1),
                                    group(Group::goods_information, 9, false, kGoodsInformation),
                                    group(Group::goods_quantity, 9, false, kGoodsQuantity)};
constexpr StructureNode kReference[] = {seg("RFF", 1, kM),
                                        seg("CNT", 9),
                                        seg("MOA", 9),
                                        seg("LOC", 99),
                                        seg("GIS", 9),
                                        seg("CUX", 9),
                                        seg("CPI", 9),
                                        group(Group::leg, 9, false, kLeg),
                                        group(Group::party, 99, false, kParty),
                                        group(Group::instruction, 9, false, kInstruction),
                                        group(Group::goods, 9999, kM, kGoods)};
constexpr StructureNode kConsignment[] = {seg("CNI", 1, kM), seg("CNT", 9),
                                          group(Group::reference, 9999, false, kReference)};
constexpr StructureNode kAuthentication[] = {seg("AUT", 1, kM), seg("DTM", 9), seg("RFF", 9)};
constexpr StructureNode kMessage[] = {seg("UNH", 1, kM),
                                      seg("BGM", 1, kM),
                                      seg("DTM", 9),
                                      seg("RFF", 9),
                                      seg("NAD", 9),
                                      seg("FTX", 9),
                                      group(Group::voyage, 9, false, kVoyage),
                                      seg("GIS", 9),
                                      group(Group::equipment, 9999, false, kEquipment),
                                      seg("CNT", 9),
                                      group(Group::consignment, 9999, false, kConsignment),
                                      group(Group::authentication, 1, false, kAuthentication),
                                      seg("UNT", 1, kM)};
} // namespace d95b

namespace d96b {
constexpr StructureNode kHeaderReference[] = {seg("RFF", 1, kM), seg("DTM", 9)};
constexpr StructureNode kHeaderParty[] = {seg("NAD", 1, kM),
                                          group(Group::header_contact, 9, false, d95b::kContact)};
constexpr StructureNode kEquipment[] = {
    seg("EQD", 1, kM), seg("TSR", 9), seg("MEA", 9), seg("DIM", 9),
    seg("SEL", 9),     seg("NAD", 9), seg("GIS", 9), group(Group::reefer, 9, false, d95b::kReefer)};
constexpr StructureNode kLegReference[] = {seg("RFF", 1, kM), seg("TSR", 9)};
constexpr StructureNode kLeg[] = {seg("TDT", 1, kM), seg("LOC", 9), seg("DTM", 9), seg("MEA", 9),
                                  group(Group::leg_reference, 9, false, kLegReference)};
constexpr StructureNode kParty[] = {seg("NAD", 1, kM), seg("DTM", 9), seg("RFF", 9),
                                    group(Group::contact, 9, false, d95b::kContact)};
constexpr StructureNode kGoodsInformation[] = {seg("GIS", 1, kM), seg("DTM", 9), seg("DOC", 9)};
constexpr StructureNode kGoods[] = {seg("GID", 1, kM),
                                    seg("PAC", 9),
                                    seg("HAN", 9),
                                    seg("FTX", 99),
                                    seg("MEA", 99),
                                    seg("MOA", 9),
                                    seg("SGP", 99),
                                    seg("DGS", 9),
                                    seg("PCI", 9),
                                    seg("CST", 1),
                                    group(Group::goods_information, 9, false, kGoodsInformation),
                                    group(Group::goods_quantity, 9, false, d95b::kGoodsQuantity)};
constexpr StructureNode kReference[] = {seg("RFF", 1, kM),
                                        seg("CNT", 9),
                                        seg("MOA", 9),
                                        seg("LOC", 99),
                                        seg("GIS", 9),
                                        seg("CUX", 9),
                                        seg("CPI", 9),
                                        group(Group::leg, 9, false, kLeg),
                                        group(Group::party, 99, false, kParty),
                                        group(Group::instruction, 9, false, d95b::kInstruction),
                                        group(Group::goods, 9999, kM, kGoods)};
constexpr StructureNode kConsignment[] = {seg("CNI", 1, kM), seg("CNT", 9),
                                          group(Group::reference, 9999, false, kReference)};
constexpr StructureNode kMessage[] = {seg("UNH", 1, kM),
                                      seg("BGM", 1, kM),
                                      seg("DTM", 9),
                                      group(Group::header_reference, 99, false, kHeaderReference),
                                      group(Group::header_party, 99, false, kHeaderParty),
                                      seg("FTX", 9),
                                      group(Group::voyage, 9, false, d95b::kVoyage),
                                      seg("GIS", 9),
                                      group(Group::equipment, 9999, false, kEquipment),
                                      seg("CNT", 9),
                                      group(Group::consignment, 9999, false, kConsignment),
                                      group(Group::authentication, 1, false, d95b::kAuthentication),
                                      seg("UNT", 1, kM)};
} // namespace d96b

namespace d03b {
constexpr StructureNode kHeaderParty[] = {seg("NAD", 1, kM), seg("DTM", 1),
                                          group(Group::header_contact, 9, false, d95b::kContact)};
constexpr StructureNode kEquipment[] = {
    seg("EQD", 1, kM), seg("TSR", 9), seg("MEA", 9),
    seg("DIM", 9),     seg("SEL", 9), seg("NAD", 9),
    seg("GEI", 9),     seg("LOC", 1), group(Group::reefer, 9, false, d95b::kReefer)};
constexpr StructureNode kGoodsInformation[] = {seg("GEI", 1, kM), seg("DTM", 9), seg("DOC", 9),
                                               seg("PAC", 9), seg("MEA", 9)};
constexpr StructureNode kGoods[] = {seg("GID", 1, kM),
                                    seg("PAC", 9),
                                    seg("HAN", 9),
                                    seg("FTX", 99),
                                    seg("MEA", 99),
                                    seg("MOA", 9),
                                    seg("SGP", 9999),
                                    seg("DGS", 99),
                                    seg("PCI", 9),
                                    seg("CST", 1),
                                    seg("LOC", 9),
                                    seg("TMD", 9),
                                    group(Group::goods_information, 9, false, kGoodsInformation),
                                    group(Group::goods_quantity, 9, false, d95b::kGoodsQuantity)};
constexpr StructureNode kReference[] = {seg("RFF", 1, kM),
                                        seg("CNT", 9),
                                        seg("MOA", 9),
                                        seg("LOC", 99),
                                        seg("GEI", 9),
                                        seg("CUX", 9),
                                        seg("CPI", 9),
                                        group(Group::leg, 9, false, d96b::kLeg),
                                        group(Group::party, 99, false, d96b::kParty),
                                        group(Group::instruction, 9, false, d95b::kInstruction),
                                        group(Group::goods, 9999, kM, kGoods)};
constexpr StructureNode kConsignment[] = {seg("CNI", 1, kM), seg("CNT", 9),
                                          group(Group::reference, 9999, false, kReference)};
constexpr StructureNode kMessage[] = {
    seg("UNH", 1, kM),
    seg("BGM", 1, kM),
    seg("DTM", 9),
    seg("LOC", 9),
    seg("QTY", 9),
    group(Group::header_reference, 99, false, d96b::kHeaderReference),
    group(Group::header_party, 99, false, kHeaderParty),
    seg("FTX", 9),
    group(Group::voyage, 9, false, d95b::kVoyage),
    seg("GEI", 9),
    group(Group::equipment, 9999, false, kEquipment),
    seg("CNT", 9),
    group(Group::consignment, 9999, false, kConsignment),
    group(Group::authentication, 1, false, d95b::kAuthentication),
    seg("UNT", 1, kM)};
} // namespace d03b

std::string node_name(const StructureNode& node) {
    if (!node.is_group())
        return "segment " + std::string(node.tag);
    return "group " + std::string(to_string(node.group)) + " (" + std::string(node.tag) + ")";
}

/// The group-matching walk over one message.
class StructureChecker {
public:
    StructureChecker(std::span<const StructureNode> root, const StructureOptions& options,
                     Problems& problems)
        : options_(options), problems_(problems) {
        stack_.push_back(Frame{root, 0, 0, Group::message});
    }

    SegmentRole place(const SegmentView& segment) {
        const std::string_view tag = segment.tag();
        const StructureNode* exhausted = nullptr;
        std::size_t exhausted_level = 0;
        std::size_t exhausted_idx = 0;
        for (std::size_t level = stack_.size(); level-- > 0;) {
            Frame& frame = stack_[level];
            for (std::size_t idx = frame.pos; idx < frame.children.size(); ++idx) {
                const StructureNode& node = frame.children[idx];
                if (node.tag != tag)
                    continue;
                const unsigned used = idx == frame.pos ? frame.count : 0;
                if (used >= node.max_repeat) {
                    // A group's own trigger repeating means a new instance, decided a level up.
                    if (!(idx == 0 && level > 0) && exhausted == nullptr) {
                        exhausted = &node;
                        exhausted_level = level;
                        exhausted_idx = idx;
                    }
                    continue;
                }
                close_frames_above(level, segment);
                report_skipped(frame, idx, segment);
                frame.pos = idx;
                frame.count = used + 1;
                if (!node.is_group())
                    return SegmentRole{frame.group, false};
                stack_.push_back(Frame{node.children, 0, 1, node.group});
                return SegmentRole{node.group, true};
            }
        }
        if (!is_tag(tag))
            return {}; // the tokenizer has reported it
        if (exhausted != nullptr)
            return accept_excess(*exhausted, exhausted_level, exhausted_idx, segment);
        detail::report_error(problems_, "unexpected-segment", segment, "",
                             "segment " + std::string(tag) + " is not allowed here (in group " +
                                 to_string(stack_.back().group) + ")",
                             15);
        return {};
    }

    /// Reports a repetition beyond the maximum once per node, then takes the segment as if
    /// it were allowed: the rest of the message is read in step instead of failing on every
    /// child of the excess group.
    SegmentRole accept_excess(const StructureNode& node, std::size_t level, std::size_t idx,
                              const SegmentView& segment) {
        if (std::find(reported_.begin(), reported_.end(), &node) == reported_.end()) {
            reported_.push_back(&node);
            detail::report_error(problems_, "too-many-repetitions", segment, "",
                                 node_name(node) + " occurs more than " +
                                     std::to_string(node.max_repeat) + " times",
                                 node.is_group() ? 36 : 35);
        }
        close_frames_above(level, segment);
        Frame& frame = stack_[level];
        frame.pos = idx;
        ++frame.count;
        if (!node.is_group())
            return SegmentRole{frame.group, false};
        stack_.push_back(Frame{node.children, 0, 1, node.group});
        return SegmentRole{node.group, true};
    }

    /// Reports what the message still lacks after its last segment.
    void finish(const SegmentView& last) { close_frames_above(0, last); }

private:
    struct Frame {
        std::span<const StructureNode> children;
        std::size_t pos; ///< the child matched last
        unsigned count;  ///< how often children[pos] has occurred in this instance
        Group group;
    };

    void report_missing(const StructureNode& node, const SegmentView& at) {
        if (options_.goods_optional && node.group == Group::goods)
            return;
        detail::report_error(
            problems_, "missing-segment", at, "",
            "mandatory " + node_name(node) + " is missing before " + std::string(at.tag()), 13);
    }

    /// Mandatory children passed over when moving from frame.pos to `target`.
    void report_skipped(const Frame& frame, std::size_t target, const SegmentView& at) {
        for (std::size_t idx = frame.count == 0 ? frame.pos : frame.pos + 1; idx < target; ++idx)
            if (frame.children[idx].mandatory)
                report_missing(frame.children[idx], at);
    }

    void close_frames_above(std::size_t level, const SegmentView& at) {
        while (stack_.size() > level + 1) {
            report_skipped(stack_.back(), stack_.back().children.size(), at);
            stack_.pop_back();
        }
    }

    const StructureOptions& options_;
    Problems& problems_;
    std::vector<Frame> stack_;
    std::vector<const StructureNode*> reported_;
};

} // namespace

const char* to_string(Group group) {
    switch (group) {
    case Group::none: return "none";
    case Group::message: return "message";
    case Group::header_reference: return "header reference";
    case Group::header_party: return "header party";
    case Group::header_contact: return "header contact";
    case Group::voyage: return "voyage";
    case Group::equipment: return "equipment";
    case Group::reefer: return "reefer";
    case Group::consignment: return "consignment";
    case Group::reference: return "reference";
    case Group::leg: return "leg";
    case Group::leg_reference: return "leg reference";
    case Group::party: return "party";
    case Group::contact: return "contact";
    case Group::instruction: return "instruction";
    case Group::goods: return "goods";
    case Group::goods_information: return "goods information";
    case Group::goods_quantity: return "goods quantity";
    case Group::authentication: return "authentication";
    }
    return "?";
}

std::span<const StructureNode> cuscar_structure(CuscarFamily family) {
    switch (family) {
    case CuscarFamily::d95b: return d95b::kMessage;
    case CuscarFamily::d96b: return d96b::kMessage;
    case CuscarFamily::d03b: return d03b::kMessage;
    }
    return d03b::kMessage;
}

std::vector<SegmentRole> check_structure(const SegmentList& segments, std::size_t first,
                                         std::size_t last, CuscarFamily family,
                                         const StructureOptions& options, Problems& problems) {
    std::vector<SegmentRole> roles;
    if (first > last || last >= segments.size())
        return roles;
    roles.reserve(last - first + 1);
    StructureChecker checker(cuscar_structure(family), options, problems);
    for (std::size_t idx = first; idx <= last; ++idx)
        roles.push_back(checker.place(segments[idx]));
    checker.finish(segments[last]);
    return roles;
}

} // namespace portscreen::edifact
