#include "edifact/cuscar.hpp"

#include "edifact/tokenizer.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

namespace portscreen::edifact {
namespace {

using testing::describe;
using testing::read_fixture;

core::Party party(std::string id, std::string name, std::string address, std::string city,
                  std::string postcode, std::string country) {
    core::Party result;
    result.id = std::move(id);
    result.name = std::move(name);
    result.address = std::move(address);
    result.city = std::move(city);
    result.postcode = std::move(postcode);
    result.country = std::move(country);
    return result;
}

core::Container container(std::string number, std::string size_type, core::LoadStatus load,
                          std::optional<double> gross, std::optional<double> tare) {
    core::Container box;
    box.number = std::move(number);
    box.size_type = std::move(size_type);
    box.load = load;
    box.gross_mass_kg = gross;
    box.tare_mass_kg = tare;
    return box;
}

core::GoodsItem goods(int number, std::string hs, std::string description, std::int64_t packages,
                      std::string type, double gross,
                      std::vector<std::pair<std::string, std::int64_t>> placements) {
    core::GoodsItem item;
    item.item_number = number;
    item.hs_code = std::move(hs);
    item.description = std::move(description);
    item.packages = packages;
    item.package_type = std::move(type);
    item.gross_mass_kg = gross;
    for (auto& [box, count] : placements) {
        core::Placement placement;
        placement.container_number = box;
        placement.packages = count;
        item.placements.push_back(std::move(placement));
    }
    return item;
}

/// A manifest with the hard cases: LCL, a house B/L, two transshipment ports, seals, service
/// characters and Latin-1 letters in text, long names, and an empty container.
core::Manifest sample_manifest() {
    core::Manifest manifest;
    manifest.document_number = "MFT-2024/77";
    manifest.issued_at = "2024-03-01T08:15";
    manifest.sender = "CARRIERX";
    manifest.declared_container_count = 3;
    core::VesselCall& call = manifest.vessel_call;
    call.imo = "9123453";
    call.vessel_name = "M\xC3\x9CLLER'S STAR"; // MÜLLER'S STAR
    call.voyage = "024W+1";
    call.carrier = "CRX";
    call.eta = "2024-03-05T06:00";
    call.port_of_call = "KEMBA";
    call.last_port = "LKCMB";

    manifest.containers.push_back(
        container("CSQU3054383", "45G1", core::LoadStatus::full, 20000.5, 3800));
    manifest.containers[0].seals = {{"SEAL:001", "CA"}, {"CU?77", "CU"}};
    manifest.containers.push_back(
        container("ABCU1234560", "22G1", core::LoadStatus::full, 12000, std::nullopt));
    manifest.containers[1].seals = {{"SH1", "SH"}};
    manifest.containers.push_back(
        container("TGHU1234561", "22G1", core::LoadStatus::empty, std::nullopt, 2200));

    core::Consignment fcl;
    fcl.master_bl = "CRXSHA0001";
    fcl.shipper = party("SH-1", "O'BRIEN & SONS: EXPORT + IMPORT CO? A VERY LONG NAME",
                        "1 EXAMPLE ROAD, BLOCK 2", "SHANGHAI", "200000", "CN");
    fcl.consignee = party("", "MOMBASA IMPORTS LTD", "PO BOX 0000", "MOMBASA", "80100", "KE");
    fcl.notify_party = party("", "SAME AS CONSIGNEE", "", "", "", "");
    fcl.forwarder =
        party("FWD9", "FORWARDER K\xC3\xB6LN GMBH", "HAFENSTRASSE 1", "K\xC3\x96LN", "50667", "DE");
    fcl.place_of_receipt = "CNSZX";
    fcl.port_of_loading = "CNSHA";
    fcl.transshipment_ports = {"LKCMB", "SGSIN"};
    fcl.port_of_discharge = "KEMBA";
    fcl.place_of_delivery = "KENBO";
    fcl.goods_items.push_back(
        goods(1, "392690",
              "PLASTIC HOUSEHOLD ARTICLES: 50+ CUPS PER CARTON, 'PREMIUM' LINE? AND A DESCRIPTION "
              "LONGER THAN SEVENTY CHARACTERS SO IT NEEDS TWO COMPONENTS",
              1200, "CT", 18250, {{"CSQU3054383", 1200}}));
    manifest.consignments.push_back(fcl);

    core::Consignment lcl;
    lcl.master_bl = "CRXSHA0002";
    lcl.house_bl = "HB-0002";
    lcl.shipper = party("", "COFFEE EXPORTS", "2 STREET", "SHANGHAI", "", "CN");
    lcl.consignee = party("", "ROASTERS LTD", "", "NAIROBI", "00100", "KE");
    lcl.port_of_loading = "CNSHA";
    lcl.port_of_discharge = "KEMBA";
    lcl.goods_items.push_back(goods(1, "090111", "GREEN COFFEE", 300, "BG", 9120,
                                    {{"CSQU3054383", 100}, {"ABCU1234560", 200}}));
    lcl.goods_items.push_back(goods(2, "", "SAMPLES", 2, "PK", 10.25, {{"ABCU1234560", 2}}));
    manifest.consignments.push_back(lcl);
    return manifest;
}

void expect_same_party(const core::Party& read, const core::Party& written) {
    EXPECT_EQ(read.id, written.id);
    EXPECT_EQ(read.name, written.name);
    EXPECT_EQ(read.address, written.address);
    EXPECT_EQ(read.city, written.city);
    EXPECT_EQ(read.postcode, written.postcode);
    EXPECT_EQ(read.country, written.country);
}

/// Every field the CUSCAR mapping carries; source segments are where the reader found them.
void expect_same(const core::Manifest& read, const core::Manifest& written) {
    EXPECT_EQ(read.function, written.function);
    EXPECT_EQ(read.document_number, written.document_number);
    EXPECT_EQ(read.issued_at, written.issued_at);
    EXPECT_EQ(read.sender, written.sender);
    EXPECT_EQ(read.declared_container_count, written.declared_container_count);
    const core::VesselCall& a = read.vessel_call;
    const core::VesselCall& b = written.vessel_call;
    EXPECT_EQ(a.imo, b.imo);
    EXPECT_EQ(a.vessel_name, b.vessel_name);
    EXPECT_EQ(a.voyage, b.voyage);
    EXPECT_EQ(a.carrier, b.carrier);
    EXPECT_EQ(a.eta, b.eta);
    EXPECT_EQ(a.port_of_call, b.port_of_call);
    EXPECT_EQ(a.last_port, b.last_port);
    EXPECT_NE(a.source_segment, 0u);

    ASSERT_EQ(read.containers.size(), written.containers.size());
    for (std::size_t idx = 0; idx < read.containers.size(); ++idx) {
        SCOPED_TRACE("container " + std::to_string(idx));
        const core::Container& x = read.containers[idx];
        const core::Container& y = written.containers[idx];
        EXPECT_EQ(x.number, y.number);
        EXPECT_EQ(x.size_type, y.size_type);
        EXPECT_EQ(x.load, y.load);
        EXPECT_EQ(x.gross_mass_kg, y.gross_mass_kg);
        EXPECT_EQ(x.tare_mass_kg, y.tare_mass_kg);
        ASSERT_EQ(x.seals.size(), y.seals.size());
        for (std::size_t seal = 0; seal < x.seals.size(); ++seal) {
            EXPECT_EQ(x.seals[seal].number, y.seals[seal].number);
            EXPECT_EQ(x.seals[seal].sealing_party, y.seals[seal].sealing_party);
        }
        EXPECT_NE(x.source_segment, 0u);
    }

    ASSERT_EQ(read.consignments.size(), written.consignments.size());
    for (std::size_t idx = 0; idx < read.consignments.size(); ++idx) {
        SCOPED_TRACE("consignment " + std::to_string(idx));
        const core::Consignment& x = read.consignments[idx];
        const core::Consignment& y = written.consignments[idx];
        EXPECT_EQ(x.master_bl, y.master_bl);
        EXPECT_EQ(x.house_bl, y.house_bl);
        expect_same_party(x.shipper, y.shipper);
        expect_same_party(x.consignee, y.consignee);
        expect_same_party(x.notify_party, y.notify_party);
        expect_same_party(x.forwarder, y.forwarder);
        EXPECT_EQ(x.place_of_receipt, y.place_of_receipt);
        EXPECT_EQ(x.port_of_loading, y.port_of_loading);
        EXPECT_EQ(x.transshipment_ports, y.transshipment_ports);
        EXPECT_EQ(x.port_of_discharge, y.port_of_discharge);
        EXPECT_EQ(x.place_of_delivery, y.place_of_delivery);
        ASSERT_EQ(x.goods_items.size(), y.goods_items.size());
        for (std::size_t item = 0; item < x.goods_items.size(); ++item) {
            const core::GoodsItem& p = x.goods_items[item];
            const core::GoodsItem& q = y.goods_items[item];
            EXPECT_EQ(p.item_number, q.item_number);
            EXPECT_EQ(p.hs_code, q.hs_code);
            EXPECT_EQ(p.description, q.description);
            EXPECT_EQ(p.packages, q.packages);
            EXPECT_EQ(p.package_type, q.package_type);
            EXPECT_EQ(p.gross_mass_kg, q.gross_mass_kg);
            ASSERT_EQ(p.placements.size(), q.placements.size());
            for (std::size_t pl = 0; pl < p.placements.size(); ++pl) {
                EXPECT_EQ(p.placements[pl].container_number, q.placements[pl].container_number);
                EXPECT_EQ(p.placements[pl].packages, q.placements[pl].packages);
            }
        }
    }
}

core::Manifest round_trip(const core::Manifest& manifest, Directory directory) {
    WriteOptions options;
    options.directory = directory;
    const std::string text = write_cuscar(manifest, options);
    const auto result = read_cuscar(text);
    EXPECT_TRUE(result.ok()) << describe(result.problems()) << text;
    if (!result.ok())
        return {};
    EXPECT_TRUE(result->warnings.empty()) << describe(result->warnings);
    EXPECT_EQ(result->directories.at(0), directory);
    return result->manifests.at(0);
}

TEST(WriteCuscar, RoundTripsEveryDirectoryLayout) {
    const core::Manifest manifest = sample_manifest();
    for (const Directory directory :
         {Directory::d95b, Directory::d96b, Directory::d03b, Directory::d11a, Directory::d21b}) {
        SCOPED_TRACE(to_string(directory));
        expect_same(round_trip(manifest, directory), manifest);
    }
}

TEST(WriteCuscar, RoundTripsCancellationWithoutGoods) {
    core::Manifest manifest = sample_manifest();
    manifest.function = core::MessageFunction::cancel;
    for (auto& con : manifest.consignments)
        con.goods_items.clear();
    for (const Directory directory : {Directory::d95b, Directory::d11a}) {
        SCOPED_TRACE(to_string(directory));
        expect_same(round_trip(manifest, directory), manifest);
    }
}

TEST(WriteCuscar, ReproducesTheSyntheticFixtureSegments) {
    const auto read = read_cuscar(read_fixture("synthetic/cuscar_d95b_sea_synthetic.edi"));
    ASSERT_TRUE(read.ok());
    WriteOptions options;
    options.sender = "CARRIERX";
    options.recipient = "PORTCUSTOMS";
    options.control_reference = "ICR0001";
    options.prepared = "2401150930";
    const std::string text = write_cuscar(read->manifests.at(0), options);
    for (const char* line :
         {"UNA:+.? '\nUNB+UNOC:3+CARRIERX:ZZZ+PORTCUSTOMS:ZZZ+240115:0930+ICR0001'\n",
          "\nUNH+1+CUSCAR:D:95B:UN'\nBGM+85+MFT2024-0001+9'\nDTM+137:202401150930:203'\n",
          "\nRFF+AFB:MFT2024-0001'\nNAD+MS+CARRIERX::ZZZ'\nNAD+CA+CRX::ZZZ'\n",
          "\nTDT+20+024W+1++CRX::ZZZ+++9123453:146:11:TEST CARRIER'\n",
          "\nLOC+5+LKCMB:139:6'\nLOC+60+KEMBA:139:6'\nDTM+132:202401201800:203'\n",
          "\nMEA+AAE+T+KGM:3900'\nMEA+AAE+G+KGM:18250'\nSEL+CN1234567+CA'\n",
          "\nCNT+16:2'\nCNI+1+CRXSHA0001'\nRFF+BM:CRXSHA0001'\n",
          "\nNAD+CZ+++O?'BRIEN EXAMPLE COFFEE EXPORTS+2 EXAMPLE STREET+SHANGHAI++200001+CN'\n",
          "\nFTX+AAA+++PLASTIC HOUSEHOLD ARTICLES 50?+ CUPS PER CARTON'\n",
          "\nSGP+ABCU1234560+300'\nCST++090111:169:1'\n", "\nUNZ+1+ICR0001'\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\nnot in\n" << text;
    }
}

TEST(WriteCuscar, EscapesOmitsTrailingEmptiesAndWritesLatin1) {
    core::Manifest manifest = sample_manifest();
    manifest.vessel_call.vessel_name = "\xC5\x81"
                                       "\xC3\x93"
                                       "D\xC5\xB9 \xE2\x82\xAC"; // ŁÓDŹ €
    const std::string text = write_cuscar(manifest, WriteOptions{});
    EXPECT_NE(text.find(":11:?\?\xD3"
                        "D?\? ?\?'"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("FORWARDER K\xF6LN GMBH"), std::string::npos);
    EXPECT_EQ(text.find("\xC3"), std::string::npos); // no UTF-8 left
    EXPECT_NE(text.find("O?'BRIEN & SONS?: EXPORT ?+ IMPORT CO??:A VERY LONG NAME"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("SEL+SEAL?:001+CA'"), std::string::npos);
    EXPECT_NE(text.find("EQD+CN+TGHU1234561+22G1:102:5+++4'"), std::string::npos);
    EXPECT_EQ(text.find("+'"), std::string::npos);
    EXPECT_EQ(text.find(":'"), std::string::npos);

    const auto read = read_cuscar(text);
    ASSERT_TRUE(read.ok()) << describe(read.problems());
    EXPECT_EQ(read->manifests.at(0).vessel_call.vessel_name, "?\xC3\x93"
                                                             "D? ?");
}

TEST(WriteCuscar, UntAndUnzCountsAreRight) {
    const std::string text = write_cuscar(sample_manifest(), WriteOptions{});
    Problems problems;
    const SegmentList segments = tokenize(text, problems);
    ASSERT_TRUE(problems.empty()) << describe(problems);
    ASSERT_GE(segments.size(), 4u);
    const SegmentView unt = segments[segments.size() - 2];
    EXPECT_EQ(unt.tag(), "UNT");
    EXPECT_EQ(unt.element(0), std::to_string(segments.size() - 2));
    EXPECT_EQ(segments[segments.size() - 1].element(0), "1");
}

/// 20,000 containers in 5,000 consignments: the size of a large vessel call.
core::Manifest large_manifest() {
    core::Manifest manifest = sample_manifest();
    manifest.containers.clear();
    manifest.consignments.clear();
    manifest.declared_container_count.reset();
    for (int con_idx = 0; con_idx < 5000; ++con_idx) {
        core::Consignment con;
        con.master_bl = "CRXBL" + std::to_string(100000 + con_idx);
        con.shipper =
            party("", "SHIPPER " + std::to_string(con_idx), "1 ROAD", "SHANGHAI", "200000", "CN");
        con.consignee = party("", "CONSIGNEE LTD", "PO BOX 1", "MOMBASA", "80100", "KE");
        con.port_of_loading = "CNSHA";
        con.port_of_discharge = "KEMBA";
        for (int box_idx = 0; box_idx < 4; ++box_idx) {
            const std::string number = "ABCU" + std::to_string(1000000 + con_idx * 4 + box_idx);
            manifest.containers.push_back(
                container(number, "45G1", core::LoadStatus::full, 18000, 3800));
            manifest.containers.back().seals = {{"S" + number, "CA"}};
            con.goods_items.push_back(goods(box_idx + 1, "392690", "PLASTIC ARTICLES", 100, "CT",
                                            14200, {{number, 100}}));
        }
        manifest.consignments.push_back(std::move(con));
    }
    return manifest;
}

TEST(WriteCuscar, LargeManifestWritesAndReadsBack) {
    const core::Manifest manifest = large_manifest();
    const auto start = std::chrono::steady_clock::now();
    const std::string text = write_cuscar(manifest, WriteOptions{});
    const auto written = std::chrono::steady_clock::now();
    Problems problems;
    const SegmentList segments = tokenize(text, problems);
    const auto tokenized = std::chrono::steady_clock::now();
    const auto result = read_cuscar(text);
    const auto read = std::chrono::steady_clock::now();

    ASSERT_TRUE(result.ok()) << describe(result.problems());
    EXPECT_TRUE(problems.empty());
    EXPECT_GT(segments.size(), 150'000u);
    // The equipment group repeats at most 9999 times, so the writer splits the manifest into
    // three linked messages, and the reader joins them again.
    std::size_t headers = 0;
    for (std::size_t idx = 0; idx < segments.size(); ++idx)
        headers += segments[idx].tag() == "UNH" ? 1 : 0;
    EXPECT_EQ(headers, 3u);
    EXPECT_EQ(segments[1].component(3, 1), "C");
    ASSERT_EQ(result->manifests.size(), 1u);
    EXPECT_EQ(result->manifests[0].declared_container_count, 20'000);
    const core::Manifest& back = result->manifests.at(0);
    ASSERT_EQ(back.containers.size(), 20'000u);
    EXPECT_EQ(back.consignments.size(), 5'000u);
    EXPECT_EQ(back.containers.back().number, manifest.containers.back().number);
    EXPECT_EQ(back.consignments.back().goods_items.back().placements.at(0).container_number,
              manifest.containers.back().number);

    using std::chrono::duration;
    std::printf("large CUSCAR: %zu bytes, %zu segments; write %.1f ms, tokenize %.1f ms, "
                "read (tokenize+check+map) %.1f ms\n",
                text.size(), segments.size(), duration<double, std::milli>(written - start).count(),
                duration<double, std::milli>(tokenized - written).count(),
                duration<double, std::milli>(read - tokenized).count());
}

} // namespace
} // namespace portscreen::edifact
