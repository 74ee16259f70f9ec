#include "sim/catalog.hpp"

#include <cassert>
#include <map>
#include <string>

namespace portscreen::sim {
namespace {

using enum Region;

constexpr Carrier kCarriers[] = {
    {"MSCU", "MEDITERRANEAN SHIPPING CO", "MSCU MEDU MSDU MSMU", "MEDU", "FX", "MSC ", "", 20},
    {"MAEU", "MAERSK A/S", "MAEU MRKU MSKU MRSU", "MAEU", "ML", "", " MAERSK", 15},
    {"CMDU", "CMA CGM", "CMAU CGMU ECMU APZU", "CMDU", "CG", "CMA CGM ", "", 12},
    {"COSU", "COSCO SHIPPING LINES", "CSNU CBHU CCLU", "COSU", "CS", "COSCO ", "", 9},
    {"HLCU", "HAPAG-LLOYD", "HLXU HLBU UACU", "HLCU", "HL", "", " EXPRESS", 7},
    {"ONEY", "OCEAN NETWORK EXPRESS", "ONEU NYKU", "ONEY", "ON", "ONE ", "", 6},
    {"EGLV", "EVERGREEN LINE", "EGHU EMCU EISU EGSU", "EGLV", "EM", "EVER ", "", 6},
    {"PCIU", "PACIFIC INTERNATIONAL LINES", "PCIU", "PCIU", "PI", "KOTA ", "", 5},
    {"OOLU", "OOCL", "OOLU OOCU", "OOLU", "OL", "OOCL ", "", 4},
    {"YMLU", "YANG MING", "YMLU YMMU", "YMLU", "YM", "YM ", "", 3},
    {"HDMU", "HMM", "HDMU", "HDMU", "HD", "HMM ", "", 3},
    {"ZIMU", "ZIM", "ZIMU ZCSU", "ZIMU", "ZM", "ZIM ", "", 3},
};

constexpr OriginPort kOriginPorts[] = {
    {"CNSHA", east_asia, 10, "SHANGHAI|SUZHOU|HANGZHOU|WUXI"},
    {"CNNGB", east_asia, 9, "NINGBO|YIWU|SHAOXING|HANGZHOU"},
    {"CNYTN", east_asia, 5, "SHENZHEN|DONGGUAN|HUIZHOU"},
    {"CNSHK", east_asia, 2, "SHENZHEN|DONGGUAN"},
    {"CNNSA", east_asia, 4, "GUANGZHOU|FOSHAN|ZHONGSHAN"},
    {"CNTAO", east_asia, 4, "QINGDAO|WEIFANG|YANTAI|JINAN"},
    {"CNXMN", east_asia, 3, "XIAMEN|QUANZHOU|JINJIANG"},
    {"CNTXG", east_asia, 3, "TIANJIN|BEIJING|LANGFANG"},
    {"HKHKG", east_asia, 1.5, "HONG KONG"},
    {"KRPUS", east_asia, 2, "BUSAN|CHANGWON|SEOUL"},
    {"JPYOK", east_asia, 1.5, "YOKOHAMA|TOKYO"},
    {"JPUKB", east_asia, 0.5, "KOBE|OSAKA"},
    {"TWKHH", east_asia, 1.5, "KAOHSIUNG|TAINAN|TAICHUNG"},
    {"SGSIN", southeast_asia, 2, "SINGAPORE"},
    {"MYPKG", southeast_asia, 1.5, "KLANG|SHAH ALAM|KUALA LUMPUR"},
    {"IDJKT", southeast_asia, 2.5, "JAKARTA|BEKASI|TANGERANG"},
    {"IDSUB", southeast_asia, 1, "SURABAYA|SIDOARJO"},
    {"THLCH", southeast_asia, 2.5, "BANGKOK|CHONBURI|RAYONG"},
    {"VNSGN", southeast_asia, 2, "HO CHI MINH CITY|BINH DUONG"},
    {"VNHPH", southeast_asia, 1, "HAIPHONG|HANOI"},
    {"PHMNL", southeast_asia, 0.3, "MANILA"},
    {"INNSA", south_asia, 6, "MUMBAI|PUNE|NAVI MUMBAI"},
    {"INMUN", south_asia, 4, "AHMEDABAD|RAJKOT|GANDHIDHAM"},
    {"INMAA", south_asia, 2, "CHENNAI|COIMBATORE"},
    {"PKKHI", south_asia, 3, "KARACHI|LAHORE|FAISALABAD"},
    {"BDCGP", south_asia, 0.8, "CHATTOGRAM|DHAKA"},
    {"LKCMB", south_asia, 1, "COLOMBO"},
    {"AEJEA", middle_east, 5, "DUBAI|SHARJAH|AJMAN"},
    {"SAJED", middle_east, 1, "JEDDAH"},
    {"SADMM", middle_east, 0.7, "DAMMAM|AL KHOBAR"},
    {"OMSOH", middle_east, 0.7, "SOHAR|MUSCAT"},
    {"TRMER", middle_east, 1, "MERSIN|ADANA|GAZIANTEP"},
    {"EGPSD", middle_east, 0.6, "PORT SAID|CAIRO"},
    {"DEHAM", europe, 2.5, "HAMBURG|BREMEN|HANNOVER"},
    {"NLRTM", europe, 3, "ROTTERDAM|VENLO|EINDHOVEN"},
    {"BEANR", europe, 2.5, "ANTWERP|GHENT|BRUSSELS"},
    {"FRLEH", europe, 0.8, "LE HAVRE|PARIS|ROUEN"},
    {"GBFXT", europe, 1.5, "FELIXSTOWE|LONDON|BIRMINGHAM|LEICESTER"},
    {"ITGOA", europe, 0.8, "GENOA|MILAN|TURIN"},
    {"ESVLC", europe, 0.8, "VALENCIA|CASTELLON"},
    {"ESBCN", europe, 0.5, "BARCELONA"},
    {"PLGDN", europe, 0.4, "GDANSK|WARSAW"},
    {"GRPIR", europe, 0.4, "PIRAEUS|ATHENS"},
    {"ZADUR", africa, 1.5, "DURBAN|JOHANNESBURG|PIETERMARITZBURG"},
    {"ZACPT", africa, 0.4, "CAPE TOWN|STELLENBOSCH"},
    {"USNYC", north_america, 0.8, "NEW YORK|NEWARK"},
    {"USSAV", north_america, 0.6, "SAVANNAH|ATLANTA"},
    {"USHOU", north_america, 0.6, "HOUSTON|DALLAS"},
    {"CAMTR", north_america, 0.3, "MONTREAL|TORONTO"},
    {"BRSSZ", south_america, 0.6, "SANTOS|SAO PAULO|CAMPINAS"},
    {"ARBUE", south_america, 0.3, "BUENOS AIRES|ROSARIO"},
    // Source-region ports: no ordinary cargo to this gateway, used by the odd-routing pattern.
    {"ECGYE", south_america, 0, "GUAYAQUIL|QUITO"},
    {"COBUN", south_america, 0, "BUENAVENTURA|CALI"},
    {"COCTG", south_america, 0, "CARTAGENA|BARRANQUILLA"},
    {"PECLL", south_america, 0, "CALLAO|LIMA"},
    {"IRBND", middle_east, 0, "BANDAR ABBAS"},
};

constexpr Destination kEastAfrica[] = {
    {"KEMBA", 55, "MOMBASA"},
    {"KENBO", 25, "NAIROBI|THIKA|MACHAKOS|ATHI RIVER"},
    {"UGKLA", 11, "KAMPALA|JINJA|MUKONO"},
    {"RWKGL", 4, "KIGALI"},
    {"SSJUB", 3, "JUBA"},
    {"BIBJM", 1, "BUJUMBURA"},
};

// Region weights in Region order: east Asia, southeast Asia, south Asia, Middle East, Europe,
// Africa, North America, South America.
constexpr Service kServices[] = {
    {"FAR EAST - EAST AFRICA",
     "CNSHA CNNGB CNYTN CNNSA SGSIN MYPKG LKCMB",
     "LKCMB SGSIN MYPKG",
     "SGSIN MYPKG LKCMB",
     {60, 22, 10, 2, 3, 1, 1, 1}},
    {"INDIA PAKISTAN GULF - EAST AFRICA",
     "INNSA INMUN PKKHI AEJEA OMSOH",
     "AEJEA INNSA PKKHI",
     "AEJEA LKCMB OMSLL",
     {10, 5, 45, 30, 5, 1, 2, 2}},
    {"EUROPE MED - EAST AFRICA",
     "NLRTM BEANR DEHAM ESVLC ITGOA TRMER",
     "DJJIB EGPSD SAJED",
     "ESALG MAPTM EGPSD",
     {3, 2, 3, 10, 60, 2, 12, 8}},
};

constexpr SizeType kSizeTypes[] = {
    {"22G1", BoxKind::dry, 20, 2230, 28200},      {"42G1", BoxKind::dry, 40, 3750, 26730},
    {"45G1", BoxKind::dry, 40, 3900, 26580},      {"L5G1", BoxKind::dry, 45, 4800, 25600},
    {"22R1", BoxKind::reefer, 20, 3050, 27430},   {"45R1", BoxKind::reefer, 40, 4600, 29400},
    {"22T1", BoxKind::tank, 20, 3650, 32350},     {"22U1", BoxKind::open_top, 20, 2350, 28130},
    {"42U1", BoxKind::open_top, 40, 3850, 26630},
};

using enum Stowage;

// Fill masses are for a 20' box when the stowage is heavy or liquid and for a 40' box otherwise.
constexpr CargoProfile kProfiles[] = {
    {2, 0, 1.0, "CT", 20, 22000, 26000, reefer, "0207 0202 0203", "BR IN ZA US AE"},
    {3, 0, 1.2, "CT", 20, 22000, 26000, reefer, "0303 0304 0306", "CN VN IN TH ID"},
    {4, 0, 1.5, "BG CT", 25, 18000, 24000, heavy, "0402 0406 0405", "NL BE DE FR IN AE ZA"},
    {7, 0, 0.8, "BG", 25, 20000, 26000, heavy, "0703 0713", "IN PK CN EG"},
    {8, 0, 0.8, "CT", 18, 19000, 23000, reefer, "0808 0806 0805", "ZA CN EG US"},
    {9, 0, 1.0, "BG CT", 25, 15000, 22000, heavy, "0904 0908 0910 0902", "IN LK VN ID CN"},
    {10, 0, 4.0, "BG", 50, 25000, 27500, heavy, "1006", "PK IN TH VN"},
    {11, 0, 1.5, "BG", 50, 24000, 27000, heavy, "1101 1107 1108", "TR DE BE IN AE"},
    {12, 0, 0.5, "BG", 50, 20000, 26000, heavy, "1207 1209", "IN CN NL"},
    {15, 0, 3.0, "DR", 190, 18000, 22000, liquid, "1511 1507 1512 1517", "MY ID SG AE"},
    {17, 0, 2.5, "BG", 50, 25000, 27500, heavy, "1701 1704", "IN TH BR AE"},
    {19, 0, 1.5, "CT", 10, 10000, 16000, light, "1902 1905 1901", "TR EG IN AE CN MY"},
    {20, 0, 0.8, "CT", 15, 18000, 23000, heavy, "2002 2008 2009", "CN IT TR ZA"},
    {21, 0, 1.0, "CT", 12, 12000, 18000, light, "2103 2104 2106", "CN IN AE MY TH"},
    {22, 0, 0.8, "CT", 12, 17000, 22000, heavy, "2203 2204 2208 2202", "ZA GB FR NL AE"},
    {25, 0, 2.5, "BG", 50, 26000, 27800, heavy, "2523 2501 2520", "PK AE TR CN EG"},
    {27, 0, 1.5, "DR", 185, 17000, 20000, liquid, "2710 2712", "AE IN SG SA"},
    {28, 0, 1.5, "BG", 25, 20000, 25000, heavy, "2815 2836 2833 2818", "CN IN SA DE"},
    {29, 0, 0.8, "DR", 200, 16000, 20000, heavy, "2905 2915 2917 2941", "CN IN DE"},
    {30, 0, 2.0, "CT", 9, 5000, 10000, light, "3004 3002 3006", "IN CN DE BE GB PK"},
    {31, 0, 3.0, "BG", 50, 25000, 27500, heavy, "3102 3105 3104", "SA AE CN BE TR"},
    {32, 0, 1.0, "DR CT", 25, 15000, 20000, heavy, "3208 3209 3212 3215", "CN IN AE DE"},
    {33, 0, 1.0, "CT", 10, 7000, 13000, light, "3304 3305 3307", "CN IN AE FR ZA"},
    {34, 0, 1.2, "CT", 15, 15000, 22000, heavy, "3401 3402", "ID MY IN CN AE"},
    {38, 0, 1.0, "DR CT", 20, 14000, 20000, heavy, "3808 3824", "CN IN DE"},
    {39, 0, 6.0, "CT BG", 12, 6000, 12000, light, "3901 3902 3907 3917 3920 3923 3924 3926", ""},
    {40, 0, 2.5, "PK", 25, 8000, 13000, light, "4011 4016 4013", "CN IN TH VN JP ID"},
    {44, 0, 0.7, "BE", 1100, 19000, 24000, heavy, "4412 4410 4418", "CN MY ID"},
    {48, 0, 2.5, "RO PX", 600, 18000, 25000, heavy, "4802 4804 4810 4818 4819",
     "IN ID CN ZA BR DE"},
    {52, 0, 0.6, "BL", 220, 16000, 21000, heavy, "5208 5209", "IN PK CN"},
    {54, 0, 0.6, "RO", 45, 12000, 18000, light, "5407 5402", "CN IN"},
    {55, 0, 0.5, "RO", 45, 12000, 18000, light, "5512 5513 5509", "CN IN PK"},
    {56, 0, 0.4, "BL", 50, 8000, 13000, light, "5607 5608", "CN IN"},
    {61, 0, 2.0, "CT", 14, 6000, 9000, light, "6109 6104 6110", "CN BD IN TR VN"},
    {62, 0, 1.8, "CT", 14, 6000, 9000, light, "6203 6204 6205", "CN BD IN PK TR"},
    {63, 0, 3.5, "BL", 45, 22000, 26500, heavy, "6309 6302 6305", ""},
    {64, 0, 2.0, "CT", 12, 6000, 10000, light, "6402 6404 6403", "CN VN IN ID"},
    {69, 0, 2.5, "PX", 1300, 24000, 27500, heavy, "6907 6910 6911", "CN IN ES TR EG"},
    {70, 0, 0.8, "CR", 700, 18000, 24000, heavy, "7005 7010 7013", "CN EG AE TR IN"},
    {72, 0, 3.0, "BE", 2200, 25000, 27800, heavy, "7208 7209 7210 7213 7214 7225",
     "CN IN JP KR TR ZA"},
    {73, 0, 2.5, "BE CT", 850, 15000, 24000, heavy, "7306 7308 7317 7318 7323", "CN IN TR AE"},
    {74, 0, 0.3, "RO", 500, 15000, 22000, heavy, "7408 7411", "CN IN AE"},
    {76, 0, 0.7, "PX", 800, 12000, 20000, heavy, "7604 7606 7610", "CN AE IN"},
    {82, 0, 0.8, "CT", 20, 12000, 18000, heavy, "8201 8205 8207", "CN IN DE"},
    {83, 0, 0.8, "CT", 20, 10000, 16000, heavy, "8301 8302", "CN IN"},
    {84, 0, 7.0, "CS PK", 420, 7000, 16000, light,
     "8413 8418 8415 8450 8471 8481 8428 8474 8429 8433", ""},
    {85, 0, 7.0, "CT PK", 14, 5000, 10000, light, "8504 8516 8517 8528 8536 8539 8541 8544 8507",
     ""},
    {87, 0, 4.0, "PK CT", 25, 8000, 14000, light, "8708 8714 8711 8703 8716", ""},
    {90, 0, 1.0, "CT", 10, 4000, 8000, light, "9018 9021 9025 9027", ""},
    {94, 0, 3.0, "PK CT", 30, 5000, 9000, light, "9401 9403 9404 9405", ""},
    {95, 0, 0.8, "CT", 8, 4000, 7000, light, "9503 9506 9504", "CN"},
    {96, 0, 0.8, "CT", 12, 6000, 11000, light, "9608 9603 9619", "CN IN"},
    // Headings packed unlike the rest of their chapter.
    {39, 3901, 0, "BG", 25, 24000, 26500, heavy, "", "SA AE KR IN TH SG"},
    {39, 3902, 0, "BG", 25, 24000, 26500, heavy, "", "SA AE KR IN TH SG"},
    {39, 3907, 0, "BG", 25, 24000, 26500, heavy, "", "SA AE KR CN TH"},
    {63, 6309, 0, "BL", 45, 23000, 26500, heavy, "", "GB US DE NL BE CA AE PL"},
    {63, 6305, 0, "BL", 60, 18000, 24000, heavy, "", "CN IN PK"},
    {87, 8703, 0, "NE", 1300, 3900, 5200, vehicles, "", "JP AE GB SG"},
    {87, 8711, 0, "CR", 115, 8000, 12000, light, "", "IN CN"},
    {15, 1511, 0, "VL", 21000, 19000, 23000, liquid, "", "MY ID"},
};

} // namespace

std::vector<std::string_view> words(std::string_view list) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < list.size()) {
        if (list[pos] == ' ') {
            ++pos;
            continue;
        }
        const std::size_t end = list.find(' ', pos);
        const std::size_t stop = end == std::string_view::npos ? list.size() : end;
        out.push_back(list.substr(pos, stop - pos));
        pos = stop;
    }
    return out;
}

std::span<const Carrier> carriers() {
    return kCarriers;
}
std::span<const OriginPort> origin_ports() {
    return kOriginPorts;
}
std::span<const Destination> east_african_destinations() {
    return kEastAfrica;
}
std::span<const Service> services() {
    return kServices;
}
std::span<const SizeType> size_types() {
    return kSizeTypes;
}
std::span<const CargoProfile> cargo_profiles() {
    return kProfiles;
}

std::string_view feeder_hubs() {
    return "AEJEA OMSLL LKCMB DJJIB ZADUR";
}

std::string_view hubs_for(Region region) {
    switch (region) {
    case east_asia: return "SGSIN MYPKG MYTPP LKCMB";
    case southeast_asia: return "SGSIN MYPKG MYTPP LKCMB";
    case south_asia: return "LKCMB AEJEA OMSLL";
    case middle_east: return "AEJEA OMSLL SAJED";
    case europe: return "ESALG MAPTM EGPSD GRPIR";
    case africa: return "ZADUR";
    case north_america: return "ESALG MAPTM AEJEA";
    case south_america: return "ZADUR ESALG";
    }
    return "AEJEA";
}

std::string_view lessor_prefixes() {
    return "TGHU TCNU TCLU TRHU SEGU FCIU CAIU BMOU TEMU GESU DFSU TLLU FSCU CRSU BEAU";
}

std::string_view source_ports() {
    return "ECGYE COBUN COCTG PECLL BRSSZ IRBND";
}

std::string_view odd_hub_chains() {
    return "PAMIT ESALG AEJEA|PAMIT MAPTM EGPSD|PAMIT ESALG TRMER AEJEA|ESALG MAPTM OMSLL|"
           "MAPTM EGPSD DJJIB|TRMER AEJEA|OMSLL AEJEA";
}

const OriginPort* find_origin_port(std::string_view locode) {
    for (const auto& port : kOriginPorts)
        if (port.locode == locode)
            return &port;
    return nullptr;
}

const SizeType& size_type(std::string_view code) {
    for (const auto& type : kSizeTypes)
        if (type.code == code)
            return type;
    assert(false && "unknown size-type code in the simulator's tables");
    return kSizeTypes[0];
}

const CargoProfile& profile_for(int chapter, int heading) {
    const CargoProfile* chapter_row = nullptr;
    for (const auto& profile : kProfiles) {
        if (profile.chapter != chapter)
            continue;
        if (profile.heading == heading && heading != 0)
            return profile;
        if (profile.heading == 0)
            chapter_row = &profile;
    }
    // Chapters without a row of their own (only reached by planted descriptions) pack as
    // general light cargo.
    static constexpr CargoProfile kGeneral{0, 0, 0, "PK", 20, 6000, 12000, light, "", ""};
    return chapter_row ? *chapter_row : kGeneral;
}

std::string_view cities_of(std::string_view country) {
    // Built once from the port tables: a party's city is near a port of its country.
    static const std::map<std::string, std::string, std::less<>> by_country = [] {
        std::map<std::string, std::string, std::less<>> out;
        const auto add = [&out](std::string_view locode, std::string_view cities) {
            auto& list = out[std::string(locode.substr(0, 2))];
            if (!list.empty())
                list += '|';
            list += cities;
        };
        for (const auto& port : kOriginPorts)
            add(port.locode, port.cities);
        for (const auto& place : kEastAfrica)
            add(place.locode, place.cities);
        return out;
    }();
    const auto found = by_country.find(country);
    return found == by_country.end() ? std::string_view{} : std::string_view(found->second);
}

std::string_view legal_suffix(std::string_view country) {
    static constexpr std::pair<std::string_view, std::string_view> kSuffixes[] = {
        {"CN", "CO., LTD"},  {"HK", "LIMITED"},   {"KR", "CO., LTD"},   {"JP", "CO., LTD"},
        {"TW", "CO., LTD"},  {"TH", "CO., LTD"},  {"VN", "CO., LTD"},   {"SG", "PTE LTD"},
        {"MY", "SDN BHD"},   {"ID", "TBK"},       {"PH", "INC"},        {"IN", "PVT LTD"},
        {"PK", "(PVT) LTD"}, {"LK", "(PVT) LTD"}, {"BD", "LTD"},        {"AE", "LLC"},
        {"SA", "CO"},        {"OM", "LLC"},       {"TR", "A.S."},       {"EG", "S.A.E."},
        {"DE", "GMBH"},      {"NL", "B.V."},      {"BE", "BV"},         {"FR", "SAS"},
        {"IT", "S.R.L."},    {"ES", "S.L."},      {"PL", "SP. Z O.O."}, {"GR", "S.A."},
        {"ZA", "(PTY) LTD"}, {"US", "INC"},       {"CA", "INC"},        {"BR", "LTDA"},
        {"AR", "S.A."},      {"EC", "S.A."},      {"CO", "S.A.S."},     {"PE", "S.A.C."},
        {"IR", "CO"},
    };
    for (const auto& [code, suffix] : kSuffixes)
        if (code == country)
            return suffix;
    return "LTD";
}

std::string_view package_word(std::string_view code) {
    static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
        {"CT", "CARTONS"}, {"BG", "BAGS"},  {"PK", "PACKAGES"}, {"PX", "PALLETS"}, {"DR", "DRUMS"},
        {"BX", "BOXES"},   {"BL", "BALES"}, {"CS", "CASES"},    {"CR", "CRATES"},  {"RO", "ROLLS"},
        {"BE", "BUNDLES"}, {"NE", "UNITS"}, {"VL", "BULK"},
    };
    for (const auto& [pkg, word] : kWords)
        if (pkg == code)
            return word;
    return "PACKAGES";
}

} // namespace portscreen::sim
