#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace portscreen {

std::string sha256_hex(std::string_view bytes) {
    // OpenSSL uses the CPU's SHA instructions where present: several times faster than a
    // portable implementation, and every received message is hashed on the ingest path.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 computation failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex(length * 2, '0');
    for (unsigned int idx = 0; idx < length; ++idx) {
        hex[2 * idx] = kHex[digest[idx] >> 4];
        hex[2 * idx + 1] = kHex[digest[idx] & 0x0f];
    }
    return hex;
}

} // namespace portscreen
