// The only file that uses libxlsxwriter.
#include "exports/writers.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace portscreen::exports {
namespace {

namespace fs = std::filesystem;

constexpr double kMinWidth = 8;
constexpr double kMaxWidth = 60;

/// A file created with mkstemp in the temporary directory and removed when this goes out of
/// scope; libxlsxwriter writes to a path, so the workbook goes there and is read back.
class TempFile {
public:
    TempFile() {
        std::string pattern = (fs::temp_directory_path() / "portscreen-export-XXXXXX").string();
        const int fd = mkstemp(pattern.data());
        if (fd < 0)
            throw std::runtime_error("cannot create a temporary file " + pattern);
        ::close(fd);
        path_ = pattern;
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        std::error_code ignored;
        fs::remove(path_, ignored);
    }

    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

struct WorkbookFree {
    void operator()(lxw_workbook* workbook) const noexcept { lxw_workbook_free(workbook); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookFree>;

/// "A1"-style name of a zero-based cell, for error messages.
std::string cell_name(std::size_t row, std::size_t column) {
    std::string letters;
    for (std::size_t rest = column + 1; rest > 0; rest = (rest - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (rest - 1) % 26));
    return letters + std::to_string(row + 1);
}

[[noreturn]] void fail(const std::string& sheet, const std::string& where, lxw_error error) {
    throw std::runtime_error(std::string("cannot write worksheet '")
                                 .append(sheet)
                                 .append("'")
                                 .append(where.empty() ? "" : " cell ")
                                 .append(where)
                                 .append(": ")
                                 .append(lxw_strerror(error)));
}

/// The text with every invalid UTF-8 sequence replaced by U+FFFD, since the XML of a worksheet
/// must be valid UTF-8; also counts the characters, for column widths.
std::string valid_utf8(std::string_view text, std::size_t& characters) {
    std::string out;
    out.reserve(text.size());
    characters = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto lead = static_cast<unsigned char>(text[at]);
        const std::size_t length = lead < 0x80                           ? 1
                                   : (lead >> 5) == 0x6 && lead >= 0xc2  ? 2
                                   : (lead >> 4) == 0xe                  ? 3
                                   : (lead >> 3) == 0x1e && lead <= 0xf4 ? 4
                                                                         : 0;
        bool valid = length > 0 && at + length <= text.size();
        for (std::size_t next = 1; valid && next < length; ++next)
            valid = (static_cast<unsigned char>(text[at + next]) & 0xc0) == 0x80;
        if (valid && length == 3) {
            const auto second = static_cast<unsigned char>(text[at + 1]);
            valid = !(lead == 0xe0 && second < 0xa0) && !(lead == 0xed && second >= 0xa0);
        }
        if (valid && length == 4) {
            const auto second = static_cast<unsigned char>(text[at + 1]);
            valid = !(lead == 0xf0 && second < 0x90) && !(lead == 0xf4 && second >= 0x90);
        }
        ++characters;
        if (!valid) {
            out += "\xef\xbf\xbd";
            ++at;
            continue;
        }
        out.append(text.substr(at, length));
        at += length;
    }
    return out;
}

/// A worksheet name Excel accepts: []:*?/\ become '_', at most 31 characters, never empty.
std::string sheet_name(const std::string& name, std::size_t index) {
    std::size_t characters = 0;
    std::string clean = valid_utf8(name, characters);
    std::replace_if(
        clean.begin(), clean.end(),
        [](char c) { return std::string_view("[]:*?/\\").find(c) != std::string_view::npos; }, '_');
    // cut after 31 characters, never inside one
    std::size_t kept = 0;
    for (std::size_t at = 0; at < clean.size(); ++at) {
        if ((static_cast<unsigned char>(clean[at]) & 0xc0) == 0x80)
            continue;
        if (kept++ == LXW_SHEETNAME_MAX) {
            clean.resize(at);
            break;
        }
    }
    if (clean.empty() || clean.front() == '\'' || clean.back() == '\'')
        clean = "Sheet" + std::to_string(index + 1);
    return clean;
}

void write_sheet(lxw_workbook* workbook, lxw_format* bold, const Table& table, std::size_t index) {
    const std::string name = sheet_name(table.name, index);
    if (const auto error = workbook_validate_sheet_name(workbook, name.c_str());
        error != LXW_NO_ERROR)
        fail(name, "", error);
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, name.c_str());
    if (sheet == nullptr)
        throw std::runtime_error("cannot add worksheet '" + name + "'");
    if (table.rows.size() >= LXW_ROW_MAX)
        throw std::runtime_error(std::string("cannot write worksheet '")
                                     .append(name)
                                     .append("': ")
                                     .append(std::to_string(table.rows.size()))
                                     .append(" rows do not fit below the header"));
    if (table.columns.size() > LXW_COL_MAX)
        throw std::runtime_error(std::string("cannot write worksheet '")
                                     .append(name)
                                     .append("': ")
                                     .append(std::to_string(table.columns.size()))
                                     .append(" columns are too many"));

    std::vector<std::size_t> widths(table.columns.size(), 0);
    const auto write_text = [&](std::size_t row, std::size_t column, std::string_view text,
                                lxw_format* format) {
        std::size_t characters = 0;
        const std::string clean = valid_utf8(text, characters);
        widths[column] = std::max(widths[column], characters);
        if (clean.empty())
            return;
        const auto error =
            worksheet_write_string(sheet, static_cast<lxw_row_t>(row),
                                   static_cast<lxw_col_t>(column), clean.c_str(), format);
        if (error != LXW_NO_ERROR)
            fail(name, cell_name(row, column), error);
    };
    const auto write_number = [&](std::size_t row, std::size_t column, double value) {
        widths[column] = std::max(widths[column], format_number(value).size());
        const auto error = worksheet_write_number(sheet, static_cast<lxw_row_t>(row),
                                                  static_cast<lxw_col_t>(column), value, nullptr);
        if (error != LXW_NO_ERROR)
            fail(name, cell_name(row, column), error);
    };

    for (std::size_t column = 0; column < table.columns.size(); ++column)
        write_text(0, column, table.columns[column], bold);
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
        const auto& cells = table.rows[row];
        for (std::size_t column = 0; column < std::min(cells.size(), widths.size()); ++column) {
            const Cell& cell = cells[column];
            if (const auto* whole = std::get_if<std::int64_t>(&cell))
                write_number(row + 1, column, static_cast<double>(*whole));
            else if (const auto* real = std::get_if<double>(&cell); real && std::isfinite(*real))
                write_number(row + 1, column, *real);
            else if (const auto* text = std::get_if<std::string>(&cell))
                write_text(row + 1, column, *text, nullptr);
        }
    }
    worksheet_freeze_panes(sheet, 1, 0);
    for (std::size_t column = 0; column < widths.size(); ++column) {
        const double width =
            std::clamp(static_cast<double>(widths[column]) + 2, kMinWidth, kMaxWidth);
        const auto error = worksheet_set_column(sheet, static_cast<lxw_col_t>(column),
                                                static_cast<lxw_col_t>(column), width, nullptr);
        if (error != LXW_NO_ERROR)
            fail(name, cell_name(0, column), error);
    }
}

std::string read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    if (in)
        bytes << in.rdbuf();
    if (!in || !bytes)
        throw std::runtime_error("cannot read back the workbook written to " + file.string());
    return bytes.str();
}

} // namespace

std::string to_xlsx(std::span<const Table> tables) {
    const TempFile file;
    std::string tmpdir = fs::temp_directory_path().string();
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = tmpdir.data();
    options.use_zip64 = LXW_FALSE;
    WorkbookPtr workbook(workbook_new_opt(file.path().c_str(), &options));
    if (!workbook)
        throw std::runtime_error("cannot create a workbook in " + file.path().string());
    lxw_format* bold = workbook_add_format(workbook.get());
    if (bold == nullptr)
        throw std::runtime_error("cannot create the header format of a workbook");
    format_set_bold(bold);
    for (std::size_t index = 0; index < tables.size(); ++index)
        write_sheet(workbook.get(), bold, tables[index], index);
    if (tables.empty()) {
        // a workbook needs a worksheet to open in a spreadsheet
        if (workbook_add_worksheet(workbook.get(), nullptr) == nullptr)
            throw std::runtime_error("cannot add an empty worksheet");
    }
    // workbook_close frees the workbook whatever it returns.
    const auto error = workbook_close(workbook.release());
    if (error != LXW_NO_ERROR)
        throw std::runtime_error(
            std::string("cannot write the workbook: ").append(lxw_strerror(error)));
    return read_bytes(file.path());
}

} // namespace portscreen::exports
