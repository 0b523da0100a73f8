#pragma once
// SHA-256, for model fingerprints and the sample weights' manifest.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace xbt {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t size);
    void update(const std::string& s) { update(s.data(), s.size()); }
    // Finishes the hash; the object must not be updated afterwards.
    std::string hexDigest();

private:
    void compress(const uint8_t* block);
    std::array<uint32_t, 8> state_;
    std::array<uint8_t, 64> buffer_{};
    size_t bufferSize_ = 0;
    uint64_t totalBytes_ = 0;
};

std::string sha256Hex(const std::string& data);
std::string sha256File(const std::string& path);

}  // namespace xbt
