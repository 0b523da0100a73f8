#pragma once
// SHA-256, for model fingerprints, content hashes and the sample weights'
// manifest, computed by OpenSSL's libcrypto (the header stays OpenSSL-free).

#include <cstddef>
#include <memory>
#include <string>

struct evp_md_ctx_st;

namespace xbt {

class Sha256 {
public:
    Sha256();

    void update(const void* data, size_t size);
    void update(const std::string& s) { update(s.data(), s.size()); }
    // Finishes the hash; the object must not be updated afterwards.
    std::string hexDigest();

private:
    struct FreeContext {
        void operator()(evp_md_ctx_st* context) const;
    };
    std::unique_ptr<evp_md_ctx_st, FreeContext> context_;
};

std::string sha256Hex(const std::string& data);
// Opens `path` with openRegularFile (FileUtil.h): FIFOs, devices and folders
// are refused, not read.
std::string sha256File(const std::string& path);

}  // namespace xbt
