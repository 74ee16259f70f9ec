#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portscreen {

/// The fields of one CSV record (RFC 4180): commas separate fields, double quotes enclose a
/// field that holds commas, and a doubled quote inside one stands for a quote. A trailing CR is
/// dropped. Records spanning lines are not supported: `line` is one line of the file.
std::vector<std::string> split_csv_record(std::string_view line);

} // namespace portscreen
