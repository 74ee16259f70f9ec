#include "accounts/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <stdexcept>

namespace portscreen::accounts {
namespace {

constexpr std::size_t kMinPasswordChars = 12;
constexpr std::size_t kMaxPasswordChars = 128;

void start_sodium() {
    static std::once_flag once;
    static bool started = false;
    std::call_once(once, [] { started = sodium_init() >= 0; });
    if (!started)
        throw std::runtime_error("cannot start libsodium (no random source?)");
}

std::size_t utf8_chars(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char byte) {
        return (static_cast<unsigned char>(byte) & 0xC0U) != 0x80U;
    }));
}

std::string ascii_lower(std::string_view text) {
    std::string lower(text);
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

} // namespace

std::string hash_password(std::string_view password) {
    start_sodium();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::runtime_error("cannot hash a password: out of memory");
    return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
    start_sodium();
    if (hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    const std::string terminated(hash); // libsodium reads a NUL-terminated string
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

std::string random_token() {
    start_sodium();
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex(bytes.size() * 2, '0');
    for (std::size_t idx = 0; idx < bytes.size(); ++idx) {
        hex[2 * idx] = kHex[bytes[idx] >> 4];
        hex[2 * idx + 1] = kHex[bytes[idx] & 0x0f];
    }
    sodium_memzero(bytes.data(), bytes.size());
    return hex;
}

std::vector<std::string> password_problems(std::string_view password, std::string_view username) {
    std::vector<std::string> problems;
    const std::size_t chars = utf8_chars(password);
    if (chars < kMinPasswordChars)
        problems.push_back(std::string("password has ")
                               .append(std::to_string(chars))
                               .append(" characters; at least ")
                               .append(std::to_string(kMinPasswordChars))
                               .append(" are needed"));
    if (chars > kMaxPasswordChars)
        problems.push_back(std::string("password has ")
                               .append(std::to_string(chars))
                               .append(" characters; at most ")
                               .append(std::to_string(kMaxPasswordChars))
                               .append(" are allowed"));
    if (!username.empty() && ascii_lower(password).find(ascii_lower(username)) != std::string::npos)
        problems.push_back(
            std::string("password must not contain the username '").append(username).append("'"));
    return problems;
}

} // namespace portscreen::accounts
