#include "manifest_json/manifest_json.hpp"

#include "manifest_equal.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <string>

namespace portscreen::manifest_json {
namespace {

core::Party party(std::string name, std::string country) {
    core::Party result;
    result.name = std::move(name);
    result.country = std::move(country);
    return result;
}

core::Container container(std::string number, std::string size_type, double gross) {
    core::Container box;
    box.number = std::move(number);
    box.size_type = std::move(size_type);
    box.gross_mass_kg = gross;
    return box;
}

core::GoodsItem goods(int item_number, std::string hs_code, std::string description,
                      std::int64_t packages) {
    core::GoodsItem item;
    item.item_number = item_number;
    item.hs_code = std::move(hs_code);
    item.description = std::move(description);
    item.packages = packages;
    return item;
}

core::Manifest header(core::MessageFunction function, int version) {
    core::Manifest manifest;
    manifest.function = function;
    manifest.version = version;
    manifest.document_number = "EXLN-KEMBA-0412E-001";
    manifest.issued_at = "2024-03-01T09:15:00Z";
    manifest.sender = "EXLN";
    manifest.vessel_call.imo = "9472153";
    manifest.vessel_call.voyage = "0412E";
    manifest.vessel_call.port_of_call = "KEMBA";
    return manifest;
}

/// FCL: every member of the format set, several seals, an empty container, unicode names.
core::Manifest fcl_manifest() {
    core::Manifest manifest = header(core::MessageFunction::replace, 3);
    manifest.vessel_call.vessel_name = "NORTHERN STAR";
    manifest.vessel_call.carrier = "Example Line";
    manifest.vessel_call.eta = "2024-03-08T06:00+03:00";
    manifest.vessel_call.last_port = "OMSLL";
    manifest.declared_container_count = 2;

    core::Container full = container("EXLU4012345", "45G1", 18420.5);
    full.tare_mass_kg = 3900;
    full.seals = {{"EXL0918271", "CA"}, {"SH-554120", "SH"}, {"CU 7781", ""}};
    core::Container empty = container("EXLU2208719", "22G1", 2230);
    empty.load = core::LoadStatus::empty;
    manifest.containers = {full, empty};

    core::Consignment con;
    con.master_bl = "EXLN240301001";
    con.shipper = party("Société Générale d'Ameublement — 宁波家具有限公司", "CN");
    con.shipper.id = "CN-91330200";
    con.shipper.address = "88 Yinxian Avenue, Yinzhou District";
    con.shipper.city = "Ningbo";
    con.shipper.postcode = "315100";
    con.consignee = party("Kilimani \"Home\" Interiors\\Ltd\n\t\x01", "KE");
    con.notify_party = party("Ωmega Clearing 🚢", "KE");
    con.forwarder = party("Harbourline Consolidators Ltd", "CN");
    con.place_of_receipt = "CNNGB";
    con.port_of_loading = "CNNGB";
    con.port_of_discharge = "KEMBA";
    con.place_of_delivery = "KENBO";
    core::GoodsItem item = goods(1, "940360", "wooden dining tables, flat packed", 212);
    item.package_type = "CT";
    item.gross_mass_kg = 14520.123456789;
    item.placements = {{"EXLU4012345", 212, 0}};
    con.goods_items = {item};
    manifest.consignments = {con};
    return manifest;
}

/// LCL: two house B/Ls under one master B/L share one container, routed through two hubs.
core::Manifest lcl_manifest() {
    core::Manifest manifest = header(core::MessageFunction::original, 1);
    manifest.containers = {container("CAXU6602138", "42G1", 9870)};
    for (const auto& [house_bl, description, packages] :
         {std::tuple{"SHA-HB-88121", "smartphones", 40},
          std::tuple{"SHA-HB-88135", "tablets", 18}}) {
        core::Consignment con;
        con.master_bl = "EXLN240301017";
        con.house_bl = house_bl;
        con.consignee = party("Amani Mobile Distributors", "KE");
        con.port_of_loading = "CNSHA";
        con.transshipment_ports = {"SGSIN", "LKCMB"};
        con.port_of_discharge = "KEMBA";
        core::GoodsItem item = goods(1, "851713", description, packages);
        item.placements = {{"CAXU6602138", packages, 0}};
        con.goods_items = {item};
        manifest.consignments.push_back(con);
    }
    // A goods item split over two containers, one placement without a package count.
    manifest.containers.push_back(container("EXLU4012366", "45G1", 12000));
    core::GoodsItem split = goods(2, "", "spare parts", 30);
    split.placements = {{"CAXU6602138", 10, 0}, {"EXLU4012366", std::nullopt, 0}};
    manifest.consignments[1].goods_items.push_back(split);
    return manifest;
}

core::Manifest read_back(const std::string& text) {
    auto parsed = parse(text);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.problems().front().message);
    return parsed.ok() ? *parsed : core::Manifest{};
}

TEST(ManifestJsonWrite, FclRoundTripKeepsEveryField) {
    const core::Manifest manifest = fcl_manifest();
    const std::string text = write(manifest);
    const core::Manifest back = read_back(text);
    EXPECT_EQ(back.vessel_call, manifest.vessel_call);
    EXPECT_EQ(back.containers, manifest.containers);
    EXPECT_EQ(back.consignments, manifest.consignments);
    EXPECT_EQ(back.function, core::MessageFunction::replace);
    EXPECT_EQ(back.version, 3);
    EXPECT_EQ(back.declared_container_count, 2);
    EXPECT_TRUE(back == manifest);
    EXPECT_EQ(write(back), text);
}

TEST(ManifestJsonWrite, LclRoundTripKeepsSharedContainersAndRoutes) {
    const core::Manifest manifest = lcl_manifest();
    const core::Manifest back = read_back(write(manifest));
    EXPECT_EQ(back.consignments, manifest.consignments);
    EXPECT_EQ(back.containers, manifest.containers);
    ASSERT_EQ(back.consignments.size(), 2u);
    EXPECT_EQ(back.consignments[1].house_bl, "SHA-HB-88135");
    EXPECT_EQ(back.consignments[1].transshipment_ports,
              (std::vector<std::string>{"SGSIN", "LKCMB"}));
    EXPECT_FALSE(back.consignments[1].goods_items[1].placements[1].packages.has_value());
    EXPECT_TRUE(back == manifest);
}

TEST(ManifestJsonWrite, EveryMessageFunctionRoundTrips) {
    for (const auto function : {core::MessageFunction::original, core::MessageFunction::replace,
                                core::MessageFunction::change, core::MessageFunction::cancel}) {
        const core::Manifest back = read_back(write(header(function, 7)));
        EXPECT_EQ(back.function, function) << core::to_string(function);
        EXPECT_EQ(back.version, 7);
    }
}

TEST(ManifestJsonWrite, MinimalManifestIsCompactAndOmitsEmptyMembers) {
    core::Manifest manifest = header(core::MessageFunction::original, 1);
    core::Container box = container("EXLU2208719", "22G1", 2230);
    box.load = core::LoadStatus::empty;
    box.gross_mass_kg.reset();
    manifest.containers = {box};
    core::Consignment con;
    con.master_bl = "EXLN1";
    con.goods_items = {goods(1, "", "tea", 5)};
    manifest.consignments = {con};
    EXPECT_EQ(write(manifest),
              R"({"format":"portscreen.manifest","format_version":1,"function":"original",)"
              R"("version":1,"document_number":"EXLN-KEMBA-0412E-001",)"
              R"("issued_at":"2024-03-01T09:15:00Z","sender":"EXLN","vessel_call":)"
              R"({"imo":"9472153","voyage":"0412E","port_of_call":"KEMBA"},"containers":)"
              R"([{"number":"EXLU2208719","size_type":"22G1","load":"empty"}],"consignments":)"
              R"([{"master_bl":"EXLN1","goods_items":[{"item_number":1,"description":"tea",)"
              R"("packages":5}]}]})");
}

TEST(ManifestJsonWrite, MassesKeepFullPrecision) {
    core::Manifest manifest = header(core::MessageFunction::original, 1);
    for (const double kg : {0.1, 1e-7, 123456789.987654321, 0.0, 1e21, 30000.0})
        manifest.containers.push_back(container("EXLU4012345", "45G1", kg));
    const core::Manifest back = read_back(write(manifest));
    ASSERT_EQ(back.containers.size(), manifest.containers.size());
    for (std::size_t idx = 0; idx < back.containers.size(); ++idx)
        EXPECT_EQ(back.containers[idx].gross_mass_kg, manifest.containers[idx].gross_mass_kg);
}

TEST(ManifestJsonWrite, InvalidUtf8IsReplacedSoTheDocumentStaysReadable) {
    core::Manifest manifest = header(core::MessageFunction::original, 1);
    manifest.vessel_call.vessel_name = "BAD \xff NAME \xe2\x82 \xed\xa0\x80 OK \xe2\x82\xac";
    const std::string text = write(manifest);
    EXPECT_TRUE(nlohmann::json::accept(text));
    const core::Manifest back = read_back(text);
    EXPECT_EQ(back.vessel_call.vessel_name, "BAD \xEF\xBF\xBD NAME \xEF\xBF\xBD\xEF\xBF\xBD "
                                            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD OK \xe2\x82\xac");
}

TEST(ManifestJsonWrite, NonFiniteMassIsWrittenAsNullAndRefusedOnReading) {
    core::Manifest manifest = header(core::MessageFunction::original, 1);
    manifest.containers = {
        container("EXLU4012345", "45G1", std::numeric_limits<double>::quiet_NaN())};
    const auto parsed = parse(write(manifest));
    ASSERT_FALSE(parsed.ok());
    ASSERT_EQ(parsed.problems().size(), 1u);
    EXPECT_EQ(parsed.problems()[0].path, "/containers/0/gross_mass_kg");
}

TEST(ManifestJsonWrite, LargeManifestRoundTrips) {
    core::Manifest manifest = header(core::MessageFunction::original, 1);
    for (int idx = 0; idx < 2000; ++idx) {
        const std::string number = "EXLU" + std::to_string(1000000 + idx) + "0";
        manifest.containers.push_back(container(number, "45G1", 10000 + idx * 0.5));
        core::Consignment con;
        con.master_bl = "EXLN" + std::to_string(idx);
        core::GoodsItem item = goods(1, "940360", "furniture", idx + 1);
        item.placements = {{number, idx + 1, 0}};
        con.goods_items = {item};
        manifest.consignments.push_back(con);
    }
    const core::Manifest back = read_back(write(manifest));
    EXPECT_TRUE(back == manifest);
    EXPECT_EQ(back.consignments.size(), 2000u);
}

} // namespace
} // namespace portscreen::manifest_json
