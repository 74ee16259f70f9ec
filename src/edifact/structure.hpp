#pragma once

#include "common/result.hpp"
#include "edifact/tokenizer.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace portscreen::edifact {

/// CUSCAR directories that share one segment-group tree.
enum class CuscarFamily {
    d95b, ///< D95B: header RFF/NAD are plain segments
    d96b, ///< D96B to D02A: header RFF/NAD groups, GIS
    d03b, ///< D03B, D11A, D16A, D21B: as D96B with GEI, header LOC/QTY and more
};

/// Semantic names of segment groups, the same in every family, so that one mapper serves all
/// (the D95B/D11A numbers are in the comments).
enum class Group : std::uint8_t {
    none,              ///< segment not placed: rejected by the structure check
    message,           ///< the message level itself
    header_reference,  ///< D96B+ SG1 RFF
    header_party,      ///< D96B+ SG2 NAD
    header_contact,    ///< D96B+ SG3 CTA
    voyage,            ///< SG1 / SG4 TDT: the main conveyance
    equipment,         ///< SG2 / SG5 EQD
    reefer,            ///< SG3 / SG6 TMP
    consignment,       ///< SG4 / SG7 CNI
    reference,         ///< SG5 / SG8 RFF: bill of lading level
    leg,               ///< SG6 / SG9 TDT: pre-carriage, transshipment, on-carriage
    leg_reference,     ///< D96B+ SG10 RFF
    party,             ///< SG7 / SG11 NAD
    contact,           ///< SG8 / SG12 CTA
    instruction,       ///< SG9 / SG13 QTY
    goods,             ///< SG10 / SG14 GID
    goods_information, ///< SG11 / SG15 GIS or GEI
    goods_quantity,    ///< SG12 / SG16 QTY
    authentication,    ///< SG13 / SG17 AUT
};

const char* to_string(Group group);

/// One node of a message structure: a segment, or a group whose first child is its trigger.
struct StructureNode {
    std::string_view tag; ///< the segment tag; for a group, its trigger's tag
    Group group;          ///< Group::none for a segment
    std::uint16_t max_repeat;
    bool mandatory;
    std::span<const StructureNode> children; ///< empty for a segment

    bool is_group() const { return !children.empty(); }
};

/// The root of the structure tree of one family: UNH ... UNT as the directory defines them.
std::span<const StructureNode> cuscar_structure(CuscarFamily family);

/// Where the structure check placed a segment.
struct SegmentRole {
    Group group = Group::none; ///< innermost group holding it
    bool opens_group = false;  ///< it is the trigger of a new instance of `group`
};

/// Options of the structure check.
struct StructureOptions {
    /// A cancellation (BGM 1225 = 1) only names the consignments it cancels, so the goods-item
    /// group need not be present even where the directory makes it mandatory.
    bool goods_optional = false;
};

/// Checks the segments [first, last] (UNH to UNT) against the family's tree with the standard
/// group-matching algorithm: stay in the current group while the tag is allowed there and
/// repeats remain, else pop up looking for a sibling or ancestor trigger; no look-ahead.
/// Appends unexpected segments (CONTRL 15), too many repetitions (35 for segments, 36 for
/// groups) and missing mandatory segments or groups (13). Returns one role per segment,
/// index 0 being `first`.
std::vector<SegmentRole> check_structure(const SegmentList& segments, std::size_t first,
                                         std::size_t last, CuscarFamily family,
                                         const StructureOptions& options, Problems& problems);

} // namespace portscreen::edifact
