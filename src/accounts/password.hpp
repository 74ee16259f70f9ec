#pragma once

#include <string>
#include <string_view>
#include <vector>

/// Password hashing and random tokens over libsodium, which stays inside this file's .cpp.
namespace portscreen::accounts {

/// An Argon2id hash of `password` in libsodium's crypto_pwhash_str form ("$argon2id$v=19$..."),
/// with its salt and cost inside, at the interactive cost (about 64 MiB and 0.1 s). Throws
/// std::runtime_error when libsodium cannot start or the memory is not available.
std::string hash_password(std::string_view password);

/// Whether `password` matches `hash`; false for a hash that is not in crypto_pwhash_str form.
/// Takes the time of one hash computation whether it matches or not.
bool verify_password(std::string_view hash, std::string_view password);

/// 32 bytes from the operating system's random source as 64 lower-case hex digits: session
/// and CSRF tokens.
std::string random_token();

/// Every reason `password` may not be set for `username`: fewer than 12 or more than 128
/// characters (counted as UTF-8 code points), or containing the username (ignoring ASCII case).
/// Empty when it is acceptable. Pure.
std::vector<std::string> password_problems(std::string_view password, std::string_view username);

} // namespace portscreen::accounts
