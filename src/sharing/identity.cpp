#include "sharing/identity.hpp"

#include "common/durable_file.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>
#include <zmq.h>

#include <array>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace portscreen::sharing {
namespace {

void start_sodium() {
    static std::once_flag once;
    static bool started = false;
    std::call_once(once, [] { started = sodium_init() >= 0; });
    if (!started)
        throw std::runtime_error("libsodium could not be initialised");
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes, size);
    out.pop_back();
    return out;
}

/// Decodes exactly `size` bytes of hex; false for anything else.
bool from_hex(std::string_view hex, unsigned char* out, std::size_t size) {
    if (hex.size() != size * 2)
        return false;
    std::size_t decoded = 0;
    return sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &decoded, nullptr) == 0 &&
           decoded == size;
}

bool valid_z85_key(std::string_view text) {
    std::array<std::uint8_t, 32> key{};
    const std::string terminated(text);
    return text.size() == 40 && zmq_z85_decode(key.data(), terminated.c_str()) != nullptr;
}

} // namespace

bool valid_node_name(std::string_view name) {
    if (name.empty() || name.size() > 64)
        return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

NodeIdentity generate_identity(std::string_view name) {
    if (!valid_node_name(name))
        throw std::invalid_argument("node name '" + std::string(name) +
                                    "': use 1 to 64 letters, digits, '-' or '_'");
    start_sodium();
    NodeIdentity identity;
    identity.public_part.name = std::string(name);
    std::array<char, 41> curve_public{};
    std::array<char, 41> curve_secret{};
    if (zmq_curve_keypair(curve_public.data(), curve_secret.data()) != 0)
        throw std::runtime_error("ZeroMQ cannot make CURVE keys (built without CURVE?)");
    identity.public_part.curve_public = curve_public.data();
    identity.curve_secret = curve_secret.data();
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> sign_public{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sign_secret{};
    crypto_sign_keypair(sign_public.data(), sign_secret.data());
    identity.public_part.sign_public = to_hex(sign_public.data(), sign_public.size());
    identity.sign_secret = to_hex(sign_secret.data(), sign_secret.size());
    sodium_memzero(sign_secret.data(), sign_secret.size());
    return identity;
}

std::filesystem::path identity_path(const std::filesystem::path& data_dir) {
    return data_dir / "keys" / "node.json";
}

void save_identity(const std::filesystem::path& file, const NodeIdentity& identity) {
    if (std::filesystem::exists(file))
        throw std::runtime_error(file.string() +
                                 " already exists: a node that changes its keys is refused by "
                                 "every peer; remove the file first if that is meant");
    const nlohmann::json json = {{"name", identity.public_part.name},
                                 {"curve_public", identity.public_part.curve_public},
                                 {"curve_secret", identity.curve_secret},
                                 {"sign_public", identity.public_part.sign_public},
                                 {"sign_secret", identity.sign_secret}};
    write_file_durably(file, json.dump(2) + "\n", 0600);
}

NodeIdentity load_identity(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error("cannot read the node identity " + file.string() +
                                 " (make one with portscreen keys generate)");
    std::stringstream text;
    text << in.rdbuf();
    const auto fail = [&](const std::string& problem) -> NodeIdentity {
        throw std::runtime_error(file.string() + ": " + problem);
    };
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        return fail(std::string("not JSON: ") + e.what());
    }
    NodeIdentity identity;
    const auto field = [&](const char* key) -> std::string {
        if (!json.is_object() || !json.contains(key) || !json[key].is_string())
            fail(std::string(key) + " is missing or not text");
        return json[key].get<std::string>();
    };
    identity.public_part.name = field("name");
    identity.public_part.curve_public = field("curve_public");
    identity.curve_secret = field("curve_secret");
    identity.public_part.sign_public = field("sign_public");
    identity.sign_secret = field("sign_secret");
    if (const auto problems = validate_public_identity(identity.public_part); !problems.empty())
        return fail(problems.front());
    std::array<char, 41> derived{};
    if (!valid_z85_key(identity.curve_secret) ||
        zmq_curve_public(derived.data(), identity.curve_secret.c_str()) != 0 ||
        identity.public_part.curve_public != derived.data())
        return fail("curve_secret does not belong to curve_public");
    start_sodium();
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
    if (!from_hex(identity.sign_secret, secret.data(), secret.size()))
        return fail("sign_secret is not 128 hex digits");
    crypto_sign_ed25519_sk_to_pk(public_key.data(), secret.data());
    sodium_memzero(secret.data(), secret.size());
    if (to_hex(public_key.data(), public_key.size()) != identity.public_part.sign_public)
        return fail("sign_secret does not belong to sign_public");
    return identity;
}

std::string public_identity_json(const PublicIdentity& identity) {
    return nlohmann::json{{"name", identity.name},
                          {"curve_public", identity.curve_public},
                          {"sign_public", identity.sign_public}}
        .dump();
}

std::vector<std::string> validate_public_identity(const PublicIdentity& identity) {
    std::vector<std::string> problems;
    if (!valid_node_name(identity.name))
        problems.push_back("name: '" + identity.name +
                           "' is not 1 to 64 letters, digits, '-' or '_'");
    if (!valid_z85_key(identity.curve_public))
        problems.push_back("curve_public: not a CURVE key (40 characters of Z85)");
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> key{};
    if (!from_hex(identity.sign_public, key.data(), key.size()))
        problems.push_back("sign_public: not an Ed25519 key (64 hex digits)");
    return problems;
}

std::string sign(std::string_view bytes, std::string_view sign_secret) {
    start_sodium();
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
    if (!from_hex(sign_secret, secret.data(), secret.size()))
        throw std::invalid_argument("signing key is not 128 hex digits");
    std::string signature(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                         secret.data());
    sodium_memzero(secret.data(), secret.size());
    return signature;
}

bool verify(std::string_view bytes, std::string_view signature, std::string_view sign_public) {
    start_sodium();
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> key{};
    if (signature.size() != crypto_sign_BYTES || !from_hex(sign_public, key.data(), key.size()))
        return false;
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                       reinterpret_cast<const unsigned char*>(bytes.data()),
                                       bytes.size(), key.data()) == 0;
}

} // namespace portscreen::sharing
