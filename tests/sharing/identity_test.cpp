#include "sharing/identity.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace portscreen::sharing {
namespace {

using test_support::TempDir;

TEST(Identity, GeneratedKeysSignAndVerify) {
    const auto identity = generate_identity("NLRTM-PCU");
    EXPECT_EQ(identity.public_part.curve_public.size(), 40u);
    EXPECT_EQ(identity.public_part.sign_public.size(), 64u);
    EXPECT_TRUE(validate_public_identity(identity.public_part).empty());
    const auto signature = sign("a message", identity.sign_secret);
    EXPECT_EQ(signature.size(), 64u);
    EXPECT_TRUE(verify("a message", signature, identity.public_part.sign_public));
    EXPECT_FALSE(verify("a message!", signature, identity.public_part.sign_public));
    const auto other = generate_identity("BEANR-PCU");
    EXPECT_FALSE(verify("a message", signature, other.public_part.sign_public));
    EXPECT_FALSE(verify("a message", signature.substr(1), identity.public_part.sign_public));
}

TEST(Identity, RefusesBadNames) {
    EXPECT_THROW(generate_identity(""), std::invalid_argument);
    EXPECT_THROW(generate_identity("port of Rotterdam"), std::invalid_argument);
    EXPECT_THROW(generate_identity(std::string(65, 'A')), std::invalid_argument);
    EXPECT_TRUE(valid_node_name("A_b-9"));
}

TEST(Identity, SavedFileLoadsBackPrivatelyAndIsNeverReplaced) {
    TempDir dir;
    const auto file = identity_path(dir.path());
    const auto identity = generate_identity("NLRTM-PCU");
    save_identity(file, identity);
    const auto perms = std::filesystem::status(file).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
    const auto loaded = load_identity(file);
    EXPECT_EQ(loaded.public_part.name, "NLRTM-PCU");
    EXPECT_EQ(loaded.curve_secret, identity.curve_secret);
    EXPECT_EQ(loaded.sign_secret, identity.sign_secret);
    EXPECT_THROW(save_identity(file, generate_identity("NLRTM-PCU")), std::runtime_error);
    EXPECT_EQ(load_identity(file).sign_secret, identity.sign_secret);
}

TEST(Identity, LoadNamesTheFileAndTheMismatchedKey) {
    TempDir dir;
    const auto a = generate_identity("A");
    const auto b = generate_identity("B");
    auto mixed = a;
    mixed.sign_secret = b.sign_secret;
    const auto file = dir.path() / "mixed.json";
    save_identity(file, mixed);
    try {
        load_identity(file);
        FAIL() << "a key pair that does not match was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("mixed.json"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("sign_secret does not belong"), std::string::npos);
    }
    std::ofstream(dir.path() / "junk.json") << "{\"name\": 3}";
    EXPECT_THROW(load_identity(dir.path() / "junk.json"), std::runtime_error);
    EXPECT_THROW(load_identity(dir.path() / "absent.json"), std::runtime_error);
}

TEST(Identity, PublicJsonHoldsNoSecret) {
    const auto identity = generate_identity("A");
    const auto text = public_identity_json(identity.public_part);
    EXPECT_EQ(text.find(identity.curve_secret), std::string::npos);
    EXPECT_EQ(text.find("secret"), std::string::npos);
    EXPECT_NE(text.find(identity.public_part.sign_public), std::string::npos);
}

} // namespace
} // namespace portscreen::sharing
