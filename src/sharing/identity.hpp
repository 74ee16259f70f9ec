#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

/// A node's identity between ports: a name, a CURVE key pair for the encrypted links (ZeroMQ,
/// Z85 text) and an Ed25519 key pair that signs every message the node originates, so that a
/// message passed on by a hub can still be checked against its origin. libsodium stays inside
/// this module.
namespace portscreen::sharing {

/// What a peer needs to know of a node: its name and public keys. `portscreen keys show` prints
/// it as JSON, the form a peer's configuration takes (docs/sharing.md).
struct PublicIdentity {
    std::string name;         ///< the unit's name, e.g. "NLRTM-PCU": letters, digits, '-', '_'
    std::string curve_public; ///< 40 characters of Z85
    std::string sign_public;  ///< 64 hex digits
};

struct NodeIdentity {
    PublicIdentity public_part;
    std::string curve_secret; ///< 40 characters of Z85
    std::string sign_secret;  ///< 128 hex digits (libsodium's 64-byte Ed25519 secret key)
};

/// True when `name` is 1 to 64 characters of letters, digits, '-' and '_'.
bool valid_node_name(std::string_view name);

/// Makes fresh key pairs for a node called `name`. Throws std::invalid_argument for a bad name.
NodeIdentity generate_identity(std::string_view name);

/// The identity file of a data folder: DIR/keys/node.json.
std::filesystem::path identity_path(const std::filesystem::path& data_dir);

/// Writes the identity as JSON, readable by its owner only (0600), durably. Refuses to replace an
/// existing file (std::runtime_error naming it): a node that changed keys would be refused by
/// every peer.
void save_identity(const std::filesystem::path& file, const NodeIdentity& identity);

/// Reads and checks an identity file (keys of the right length and encoding, the public keys
/// derived from the secret ones). Throws std::runtime_error naming the file and the problem.
NodeIdentity load_identity(const std::filesystem::path& file);

/// `{"name": ..., "curve_public": ..., "sign_public": ...}`.
std::string public_identity_json(const PublicIdentity& identity);

/// Checks the form of a peer's public keys; returns the problems, each naming the field.
std::vector<std::string> validate_public_identity(const PublicIdentity& identity);

/// The Ed25519 signature (64 bytes) of `bytes` under `sign_secret` (hex, as in NodeIdentity).
std::string sign(std::string_view bytes, std::string_view sign_secret);

/// True when `signature` is a valid signature of `bytes` by the holder of `sign_public` (hex).
bool verify(std::string_view bytes, std::string_view signature, std::string_view sign_public);

} // namespace portscreen::sharing
