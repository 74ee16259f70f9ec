#pragma once

#include "common/result.hpp"
#include "core/manifest.hpp"

#include <string>
#include <string_view>
#include <vector>

/// UN/EDIFACT CUSCAR (customs cargo report) read into the manifest model, and written from it.
namespace portscreen::edifact {

/// Message directories with a known CUSCAR structure. D95B has the consignment-based layout with
/// header RFF/NAD as plain segments; D96B and later make them groups (UNTDID CUSCAR).
enum class Directory { d95b, d96b, d03b, d11a, d16a, d21b };

const char* to_string(Directory directory);

/// What one interchange carried: its envelope and one manifest per UNH message.
struct CuscarInterchange {
    std::string syntax_identifier; ///< UNB S001 0001, e.g. "UNOC"
    std::string sender;            ///< UNB S002 0004
    std::string recipient;         ///< UNB S003 0010
    std::string control_reference; ///< UNB 0020
    std::vector<core::Manifest> manifests;
    std::vector<Directory> directories; ///< the directory of each manifest's message
    Problems warnings; ///< accepted oddities: charset fallbacks, unknown qualifiers, ...
};

/// Tokenizes, checks envelope integrity and segment structure, and maps every message. On any
/// error returns all problems found, each with its segment number (1-based in the interchange,
/// UNB = 1) and position. Consecutive messages linked as parts of one split message (UNH 0068
/// common access reference, S010 sequence 1, 2, ...) become one manifest. A cancellation
/// (BGM 1225 = 1) need not carry goods items even where the directory makes them mandatory.
Result<CuscarInterchange> read_cuscar(std::string_view bytes);

/// Fills in the segment tag of problems that name only a segment number (problems found by
/// checks run on the manifest model after reading), so that a person reads "segment 12 (EQD)".
/// Tokenizes again: meant for the error path only.
void name_segments(std::string_view bytes, Problems& problems);

struct WriteOptions {
    Directory directory = Directory::d95b;
    std::string sender = "PORTSCREEN";
    std::string recipient = "CUSTOMS";
    std::string control_reference = "1";
    std::string prepared = "2401010000"; ///< UNB S004 as YYMMDDHHMM
};

/// Writes one manifest as a complete UNOC interchange with UNA, in the structure of the chosen
/// directory, with release characters where the text needs them and correct UNT/UNZ counts.
/// Text is converted to ISO 8859-1; characters outside it become '?'. A manifest with more than
/// 9999 containers or consignments (the group limit) is written as a chain of messages linked
/// by UNH 0068 and S010, which read_cuscar() joins again. Linear in the manifest size.
std::string write_cuscar(const core::Manifest& manifest, const WriteOptions& options);

} // namespace portscreen::edifact
