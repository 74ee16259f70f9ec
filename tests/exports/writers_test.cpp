#include "exports/writers.hpp"
#include "exports_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace portscreen::exports {
namespace {

using testing::TempDir;

std::string read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

void write(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

bool have_unzip() {
    return std::system("command -v unzip >/dev/null 2>&1") == 0;
}

/// One member of a zip file, through unzip.
std::string unzip_member(const TempDir& dir, const std::string& bytes, const std::string& member) {
    const auto archive = dir.file("book.xlsx");
    const auto extracted = dir.file("member.xml");
    write(archive, bytes);
    const std::string command =
        "unzip -p '" + archive.string() + "' " + member + " > '" + extracted.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return read(extracted);
}

TEST(ExportsCsvTest, QuotesFieldsAndEndsLinesWithCrlf) {
    const Table table{"t",
                      {"name", "note, with comma"},
                      {{std::string("plain"), std::string("a,b")},
                       {std::string("say \"hi\""), std::string("two\nlines")},
                       {std::string("cr\rin"), Cell{}}}};
    EXPECT_EQ(to_csv(table), "name,\"note, with comma\"\r\n"
                             "plain,\"a,b\"\r\n"
                             "\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
                             "\"cr\rin\",\r\n");
}

TEST(ExportsCsvTest, GuardsFormulaTextButNeverNumbers) {
    const Table table{"t",
                      {"value"},
                      {{std::string("=SUM(A1:A9)")},
                       {std::string("+1")},
                       {std::string("-3")},
                       {std::string("@cmd")},
                       {std::string("\tx")},
                       {std::string("\rx")},
                       {std::string("=1,2")},
                       {std::int64_t{-3}},
                       {-3.5},
                       {std::string("a=b")}}};
    EXPECT_EQ(to_csv(table), "value\r\n"
                             "'=SUM(A1:A9)\r\n"
                             "'+1\r\n"
                             "'-3\r\n"
                             "'@cmd\r\n"
                             "'\tx\r\n"
                             "\"'\rx\"\r\n"
                             "\"'=1,2\"\r\n"
                             "-3\r\n"
                             "-3.5\r\n"
                             "a=b\r\n");
}

TEST(ExportsCsvTest, NumbersWithoutTrailingNoise) {
    EXPECT_EQ(format_number(12.5), "12.5");
    EXPECT_EQ(format_number(1.0 / 3), "0.333333");
    EXPECT_EQ(format_number(2.0), "2");
    EXPECT_EQ(format_number(-0.0000001), "0");
    EXPECT_EQ(format_number(123456789.125), "123456789.125");
    EXPECT_EQ(format_number(0.1 + 0.2), "0.3");
    EXPECT_EQ(format_number(std::nan("")), "");
    const Table table{"t",
                      {"a", "b", "c", "d"},
                      {{std::int64_t{9007199254740993}, 0.769300001, Cell{},
                        std::numeric_limits<double>::infinity()}}};
    EXPECT_EQ(to_csv(table), "a,b,c,d\r\n9007199254740993,0.7693,,\r\n");
}

TEST(ExportsJsonTest, ArrayOfObjectsInColumnOrder) {
    const Table table{"t",
                      {"name", "count", "rate", "empty"},
                      {{std::string("=x"), std::int64_t{-3}, 0.5, Cell{}},
                       {std::string("bad \xff utf8"), std::int64_t{0}, std::nan(""), Cell{}}}};
    const std::string text = to_json(table);
    EXPECT_EQ(text.substr(0, 44), "[{\"name\":\"=x\",\"count\":-3,\"rate\":0.5,\"empty\":");
    const auto json = nlohmann::json::parse(text);
    ASSERT_EQ(json.size(), 2U);
    EXPECT_TRUE(json[0]["empty"].is_null());
    EXPECT_TRUE(json[1]["rate"].is_null());
    EXPECT_EQ(json[1]["name"], "bad \xef\xbf\xbd utf8");
    EXPECT_EQ(to_json(Table{"t", {"a"}, {}}), "[]");
}

TEST(ExportsXlsxTest, WorkbookHoldsOneSheetPerTableWithNumbersAsNumbers) {
    const TempDir dir;
    const Table first{"a name that is far longer than thirty-one characters",
                      {"container", "score", "count"},
                      {{std::string("MSCU1234565"), 12.5, std::int64_t{-3}},
                       {std::string("=not a formula"), Cell{}, std::int64_t{42}},
                       {std::string("bad \xff byte"), Cell{}, Cell{}}}};
    const Table second{"rules", {"rule_id"}, {{std::string("R1")}}};
    const Table tables[] = {first, second};
    const std::string bytes = to_xlsx(tables);
    ASSERT_GT(bytes.size(), 100U);
    EXPECT_EQ(bytes.substr(0, 2), "PK");
    EXPECT_NE(bytes.find("xl/worksheets/sheet1.xml"), std::string::npos);
    EXPECT_NE(bytes.find("xl/worksheets/sheet2.xml"), std::string::npos);
    if (!have_unzip())
        GTEST_SKIP() << "unzip is not installed: the sheets' contents are not checked";
    const std::string sheet = unzip_member(dir, bytes, "xl/worksheets/sheet1.xml");
    EXPECT_NE(sheet.find("<v>12.5</v>"), std::string::npos) << sheet;
    EXPECT_NE(sheet.find("<v>-3</v>"), std::string::npos) << sheet;
    EXPECT_NE(sheet.find("<v>42</v>"), std::string::npos) << sheet;
    EXPECT_NE(sheet.find("ySplit=\"1\""), std::string::npos) << sheet; // header frozen
    EXPECT_NE(sheet.find("t=\"s\""), std::string::npos) << sheet;      // texts as strings
    EXPECT_EQ(sheet.find("<f>"), std::string::npos) << sheet;          // never a formula
    EXPECT_NE(sheet.find("<col "), std::string::npos) << sheet;        // widths set
    const std::string strings = unzip_member(dir, bytes, "xl/sharedStrings.xml");
    EXPECT_NE(strings.find("=not a formula"), std::string::npos) << strings;
    EXPECT_NE(strings.find("bad \xef\xbf\xbd byte"), std::string::npos) << strings;
    const std::string book = unzip_member(dir, bytes, "xl/workbook.xml");
    EXPECT_NE(book.find("name=\"a name that is far longer than \""), std::string::npos) << book;
    EXPECT_NE(book.find("name=\"rules\""), std::string::npos) << book;
    const std::string styles = unzip_member(dir, bytes, "xl/styles.xml");
    EXPECT_NE(styles.find("<b/>"), std::string::npos) << styles; // the bold header
}

TEST(ExportsXlsxTest, RemovesItsTemporaryFile) {
    const TempDir dir;
    const char* previous = std::getenv("TMPDIR");
    const std::string saved = previous != nullptr ? previous : "";
    ::setenv("TMPDIR", dir.path().c_str(), 1);
    const Table table{"t", {"a"}, {{std::int64_t{1}}}};
    const std::string bytes = to_xlsx(std::span(&table, 1));
    if (previous != nullptr)
        ::setenv("TMPDIR", saved.c_str(), 1);
    else
        ::unsetenv("TMPDIR");
    EXPECT_EQ(bytes.substr(0, 2), "PK");
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(ExportsXlsxTest, RefusalNamesTheWorksheetAndCell) {
    const Table table{"outcomes",
                      {"container", "description"},
                      {{std::string("MSCU1234565"), std::string(40'000, 'x')}}};
    try {
        to_xlsx(std::span(&table, 1));
        FAIL() << "a text longer than a cell holds was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("worksheet 'outcomes' cell B2"), std::string::npos)
            << e.what();
    }
    const Table twins[] = {Table{"same", {"a"}, {}}, Table{"same", {"a"}, {}}};
    try {
        to_xlsx(twins);
        FAIL() << "two worksheets of the same name were accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("worksheet 'same'"), std::string::npos) << e.what();
    }
}

TEST(ExportsXlsxTest, ForbiddenCharactersInSheetNamesAreReplaced) {
    const TempDir dir;
    const Table table{"a/b:c*d?", {"x"}, {}};
    const std::string bytes = to_xlsx(std::span(&table, 1));
    if (!have_unzip())
        GTEST_SKIP() << "unzip is not installed";
    const std::string book = unzip_member(dir, bytes, "xl/workbook.xml");
    EXPECT_NE(book.find("name=\"a_b_c_d_\""), std::string::npos) << book;
}

} // namespace
} // namespace portscreen::exports
