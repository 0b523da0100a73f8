#include "core/util/Sha256.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <vector>

namespace xbt {

namespace {

// libcrypto fails only when out of memory or misconfigured; say which call.
void check(int ok, const char* call)
{
    if (ok != 1)
        throw Error(std::string("SHA-256: OpenSSL's ") + call + " failed");
}

}  // namespace

void Sha256::FreeContext::operator()(evp_md_ctx_st* context) const { EVP_MD_CTX_free(context); }

Sha256::Sha256() : context_(EVP_MD_CTX_new())
{
    if (!context_)
        throw Error("SHA-256: OpenSSL's EVP_MD_CTX_new failed (out of memory)");
    check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

void Sha256::update(const void* data, size_t size)
{
    check(EVP_DigestUpdate(context_.get(), data, size), "EVP_DigestUpdate");
}

std::string Sha256::hexDigest()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    check(EVP_DigestFinal_ex(context_.get(), digest, &size), "EVP_DigestFinal_ex");
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(2 * size);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xf]);
    }
    return out;
}

std::string sha256Hex(const std::string& data)
{
    Sha256 h;
    h.update(data);
    return h.hexDigest();
}

std::string sha256File(const std::string& path)
{
    const FileDescriptor fd = openRegularFile(path);
    Sha256 h;
    std::vector<char> buf(1 << 20);
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(path + ": read error while hashing (" + std::strerror(errno) + ")");
        }
        if (n == 0)
            break;
        h.update(buf.data(), static_cast<size_t>(n));
    }
    return h.hexDigest();
}

}  // namespace xbt
