#include "core/gallery/GalleryStore.h"

#include "core/model/EmbeddingModel.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Half.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <tuple>

namespace xbt {

namespace {

const char* const kSchema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'embedded', 'failed')),
    error TEXT,
    made_by TEXT,
    embedding BLOB,
    embedded_by TEXT,
    adapter TEXT
);
CREATE TABLE captions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    embedding BLOB NOT NULL,
    made_by TEXT NOT NULL
);
CREATE INDEX captions_by_item ON captions(item_id);
)sql";

// A pair of tables keyed by the gallery's item and caption ids whose rows
// follow their item's content: a row is dropped with its item or caption
// (cascade) and when its item's content changes (the trigger), so a stale
// row can never outlive the file it was made from. `column` holds the blob.
std::string contentFollowingSchema(const std::string& prefix, const std::string& column)
{
    return "CREATE TABLE IF NOT EXISTS " + prefix + "_items (\n"
           "    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,\n"
           "    content_hash TEXT NOT NULL,\n"
           "    " + column + " BLOB NOT NULL\n"
           ");\n"
           "CREATE TABLE IF NOT EXISTS " + prefix + "_captions (\n"
           "    caption_id INTEGER PRIMARY KEY REFERENCES captions(id) ON DELETE CASCADE,\n"
           "    " + column + " BLOB NOT NULL\n"
           ");\n"
           "CREATE TRIGGER IF NOT EXISTS " + prefix + "_follows_content AFTER UPDATE OF content_hash, status ON items\n"
           "BEGIN\n"
           "    DELETE FROM " + prefix + "_items\n"
           "    WHERE item_id = NEW.id AND (content_hash != NEW.content_hash OR NEW.status != 'embedded');\n"
           "END;\n";
}

// Schema 3: the second space (the new-model store of a backfill; after a
// promote, the retired model's embeddings kept for rollback), keyed by the
// same item and caption ids.
const std::string kSecondSpaceSchema = contentFollowingSchema("second_space", "embedding");

// Schema 4: side information (FCT; core/embed/SideInformation.h), a small
// model-free vector per image and caption for a future gallery transform.
// It has its own generation counter (the index caches do not depend on it).
const std::string kSideInformationSchema = contentFollowingSchema("side_information", "vector");

// Schema 1 -> 2: provenance columns. Rows written before them were all made
// by the gallery's own model (the model lock saw to that).
const char* const kMigrationTo2 = R"sql(
ALTER TABLE items ADD COLUMN embedded_by TEXT;
ALTER TABLE items ADD COLUMN adapter TEXT;
)sql";

constexpr const char* kSecondSpaceKey = "second_space";
constexpr const char* kSecondGenerationKey = "second_space_generation";
constexpr const char* kSideGenerationKey = "side_information_generation";

ItemStatus parseStatus(const std::string& s)
{
    if (s == "embedded")
        return ItemStatus::Embedded;
    if (s == "failed")
        return ItemStatus::Failed;
    return ItemStatus::Pending;
}

}  // namespace

const char* itemStatusName(ItemStatus s)
{
    switch (s) {
    case ItemStatus::Embedded: return "embedded";
    case ItemStatus::Failed: return "failed";
    case ItemStatus::Pending: return "pending";
    }
    return "pending";
}

std::string embeddedByText(const std::string& modelName, const std::string& fingerprint)
{
    return modelName + "@" + fingerprint;
}

struct GalleryStore::Impl {
    std::string path;
    sqlite3* db = nullptr;
    GallerySettings settings;
    int schemaVersion = GalleryStore::kSchemaVersion;

    // What embedded_by says for rows made by the gallery's own model.
    std::string ownModel() const { return embeddedByText(settings.modelName, settings.modelFingerprint); }

    static std::unique_ptr<Impl> connect(const std::string& path, int flags)
    {
        auto impl = std::make_unique<Impl>();
        impl->path = path;
        if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK)
            impl->fail("cannot open the gallery database");
        sqlite3_busy_timeout(impl->db, 10000);
        impl->exec("PRAGMA foreign_keys = ON");
        return impl;
    }

    ~Impl()
    {
        if (db)
            sqlite3_close_v2(db);
    }

    [[noreturn]] void fail(const std::string& what) const
    {
        const int code = db ? sqlite3_extended_errcode(db) : SQLITE_CANTOPEN;
        throw Error(path + ": " + what + " (" + (db ? sqlite3_errmsg(db) : "no database") + ")" +
                    sqliteAdvice(code));
    }

    // What the user can do about an SQLite failure. Advice to delete is kept
    // for files proven not to be galleries (see storedSchemaVersion): a full
    // disk or a damaged file must never read as "delete it".
    static std::string sqliteAdvice(int code)
    {
        switch (code & 0xff) {
        case SQLITE_FULL:
            return "; the disk is full: free some space and try again (the gallery is unchanged)";
        case SQLITE_IOERR:
            return "; the system reported an input/output error (a full disk, a failing drive or a lost network "
                   "mount?): fix that and try again";
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "; another process holds the database: try again when it has finished";
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return "; the file is damaged (truncated or overwritten): restore it from a backup, or index the "
                   "folder into a new gallery";
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_READONLY:
            return "; check that the gallery's folder and files can be read and written";
        default:
            return {};
        }
    }

    void exec(const char* sql)
    {
        char* message = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            const std::string text = message ? message : "unknown error";
            sqlite3_free(message);
            throw Error(path + ": " + text + sqliteAdvice(sqlite3_extended_errcode(db)));
        }
    }

    // A prepared statement, finalized on scope exit.
    class Statement {
    public:
        Statement(const Impl& impl, const char* sql) : impl_(impl)
        {
            if (sqlite3_prepare_v2(impl.db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
                impl.fail(std::string("cannot prepare query ") + sql);
        }
        ~Statement() { sqlite3_finalize(stmt_); }
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;

        Statement& bind(int i, int64_t v)
        {
            sqlite3_bind_int64(stmt_, i, v);
            return *this;
        }
        Statement& bind(int i, const std::string& v)
        {
            sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
            return *this;
        }
        Statement& bindBlob(int i, const std::string& v)
        {
            sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
            return *this;
        }
        Statement& bindNull(int i)
        {
            sqlite3_bind_null(stmt_, i);
            return *this;
        }
        // True while a row is available.
        bool step()
        {
            const int rc = sqlite3_step(stmt_);
            if (rc == SQLITE_ROW)
                return true;
            if (rc != SQLITE_DONE)
                impl_.fail("query failed");
            return false;
        }
        void run()
        {
            step();
            reset();
        }
        void reset()
        {
            sqlite3_reset(stmt_);
            sqlite3_clear_bindings(stmt_);
        }
        int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
        std::string text(int col) const
        {
            const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
            return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
        }

    private:
        const Impl& impl_;
        sqlite3_stmt* stmt_ = nullptr;
    };

    // Begins IMMEDIATE so that a second writer waits (busy timeout) instead of
    // failing halfway; rolls back unless committed.
    // `generationKey`: the counter the write bumps (the gallery's vectors,
    // or the second space's, whose writes leave the index caches valid).
    class Transaction {
    public:
        explicit Transaction(Impl& impl, const char* generationKey = "generation")
            : impl_(impl), generationKey_(generationKey)
        {
            impl_.exec("BEGIN IMMEDIATE");
        }
        ~Transaction()
        {
            if (!done_)
                sqlite3_exec(impl_.db, "ROLLBACK", nullptr, nullptr, nullptr);
        }
        void commit()
        {
            Statement(impl_, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?")
                .bind(1, std::string(generationKey_))
                .run();
            impl_.exec("COMMIT");
            done_ = true;
        }

    private:
        Impl& impl_;
        const char* generationKey_;
        bool done_ = false;
    };

    std::string metaValue(const char* key) const
    {
        Statement s(*this, "SELECT value FROM meta WHERE key = ?");
        s.bind(1, std::string(key));
        if (!s.step())
            throw Error(path + ": meta key '" + key + "' is missing; the gallery database is damaged: delete the "
                        "gallery and index the folder again");
        return s.text(0);
    }

    // Only a readable SQLite database without the gallery's meta table or
    // its schema_version is "not a gallery database"; any other failure
    // (disk full, I/O, damage) is reported as what it is.
    std::string storedSchemaVersion() const
    {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &stmt, nullptr);
        if (rc != SQLITE_OK) {
            const int code = sqlite3_extended_errcode(db);
            const std::string message = sqlite3_errmsg(db);
            sqlite3_finalize(stmt);
            if (code == SQLITE_ERROR && message.rfind("no such table", 0) == 0)
                throw Error(path + ": not a gallery database (no meta table); delete the gallery and index again");
            throw Error(path + ": cannot read the gallery database (" + message + ")" + sqliteAdvice(code));
        }
        const int step = sqlite3_step(stmt);
        std::string version;
        if (step == SQLITE_ROW) {
            const unsigned char* text = sqlite3_column_text(stmt, 0);
            version = text ? reinterpret_cast<const char*>(text) : "";
        }
        const int code = sqlite3_extended_errcode(db);
        const std::string message = sqlite3_errmsg(db);
        sqlite3_finalize(stmt);
        if (step == SQLITE_ROW)
            return version;
        if (step == SQLITE_DONE)
            throw Error(path + ": not a gallery database (no schema version); delete the gallery and index again");
        throw Error(path + ": cannot read the gallery database (" + message + ")" + sqliteAdvice(code));
    }

    std::string encode(const float* v, int64_t n) const
    {
        if (settings.precision == VectorPrecision::Float16) {
            std::string bytes(static_cast<size_t>(n) * 2, '\0');
            for (int64_t i = 0; i < n; ++i) {
                const uint16_t h = floatToHalf(v[i]);
                std::memcpy(&bytes[static_cast<size_t>(i) * 2], &h, 2);
            }
            return bytes;
        }
        return std::string(reinterpret_cast<const char*>(v), static_cast<size_t>(n) * sizeof(float));
    }

    void decodeInto(const std::string& bytes, float* out, int64_t id, const char* table) const
    {
        decodeInto(bytes, out, id, table, settings.embeddingDim);
    }
    void decodeInto(const std::string& bytes, float* out, int64_t id, const char* table, int64_t dim) const
    {
        const bool half = settings.precision == VectorPrecision::Float16;
        if (static_cast<int64_t>(bytes.size()) != dim * (half ? 2 : 4))
            throw Error(path + ": " + table + " row " + std::to_string(id) + " holds " + std::to_string(bytes.size()) +
                        " embedding bytes, expected " + std::to_string(dim * (half ? 2 : 4)) +
                        "; the gallery is damaged: delete it and index again");
        if (!half) {
            std::memcpy(out, bytes.data(), bytes.size());
            return;
        }
        for (int64_t i = 0; i < dim; ++i) {
            uint16_t h = 0;
            std::memcpy(&h, &bytes[static_cast<size_t>(i) * 2], 2);
            out[i] = halfToFloat(h);
        }
    }

    StoredVectors vectors(const char* sql, const char* table) const { return vectors(sql, table, settings.embeddingDim); }
    StoredVectors vectors(const char* sql, const char* table, int dim) const
    {
        StoredVectors out;
        out.vectors.cols = dim;
        Statement s(*this, sql);
        while (s.step()) {
            const int64_t id = s.integer(0);
            out.ids.push_back(id);
            out.vectors.data.resize(out.vectors.data.size() + static_cast<size_t>(dim));
            decodeInto(s.text(1), out.vectors.data.data() + out.vectors.rows * out.vectors.cols, id, table, dim);
            ++out.vectors.rows;
        }
        return out;
    }

    // The second space and side information are each a pair of tables,
    // PREFIX_items (item_id, content_hash, COLUMN) and PREFIX_captions
    // (caption_id, COLUMN), whose item rows count only while they match their
    // item's content. These write their shared queries once.
    static std::string currentItemRows(const std::string& prefix)
    {
        return " FROM " + prefix + "_items s JOIN items i ON i.id = s.item_id "
               "WHERE i.status = 'embedded' AND i.content_hash = s.content_hash";
    }
    // Rows of current item rows and of caption rows.
    std::pair<int64_t, int64_t> countRows(const std::string& prefix) const
    {
        std::pair<int64_t, int64_t> counts{0, 0};
        Statement images(*this, ("SELECT COUNT(*)" + currentItemRows(prefix)).c_str());
        if (images.step())
            counts.first = images.integer(0);
        Statement captions(*this, ("SELECT COUNT(*) FROM " + prefix + "_captions").c_str());
        if (captions.step())
            counts.second = captions.integer(0);
        return counts;
    }
    std::vector<int64_t> currentItemIds(const std::string& prefix) const
    {
        std::vector<int64_t> ids;
        Statement s(*this, ("SELECT s.item_id" + currentItemRows(prefix) + " ORDER BY s.item_id").c_str());
        while (s.step())
            ids.push_back(s.integer(0));
        return ids;
    }
    // An item row is stored only while the item still holds the content it was made from.
    static std::string itemRowInsert(const std::string& prefix, const std::string& column)
    {
        return "INSERT OR REPLACE INTO " + prefix + "_items (item_id, content_hash, " + column + ") "
               "SELECT id, content_hash, ? FROM items WHERE id = ? AND content_hash = ? AND status = 'embedded'";
    }
    static std::string captionRowInsert(const std::string& prefix, const std::string& column)
    {
        return "INSERT OR REPLACE INTO " + prefix + "_captions (caption_id, " + column + ") "
               "SELECT id, ? FROM captions WHERE id = ?";
    }

    std::vector<int64_t> captionIdsOf(int64_t itemId) const
    {
        std::vector<int64_t> ids;
        Statement s(*this, "SELECT id FROM captions WHERE item_id = ?");
        s.bind(1, itemId);
        while (s.step())
            ids.push_back(s.integer(0));
        return ids;
    }
};

GalleryStore::GalleryStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GalleryStore::GalleryStore(GalleryStore&&) noexcept = default;
GalleryStore& GalleryStore::operator=(GalleryStore&&) noexcept = default;
GalleryStore::~GalleryStore() = default;

GalleryStore GalleryStore::create(const std::string& path, const GallerySettings& settings)
{
    // Built under a temporary name and renamed into place: a process killed
    // while creating leaves no half-made gallery behind.
    const std::string tmp = path + ".creating";
    std::remove(tmp.c_str());
    {
        auto impl = Impl::connect(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
        impl->exec("BEGIN IMMEDIATE");
        impl->exec(kSchema);
        impl->exec(kSecondSpaceSchema.c_str());
        impl->exec(kSideInformationSchema.c_str());
        Impl::Statement s(*impl, "INSERT INTO meta (key, value) VALUES (?, ?)");
        s.bind(1, std::string("schema_version")).bind(2, std::to_string(kSchemaVersion)).run();
        s.bind(1, std::string("settings")).bind(2, toJsonText(settings)).run();
        s.bind(1, std::string("generation")).bind(2, std::string("1")).run();
        s.bind(1, std::string(kSecondGenerationKey)).bind(2, std::string("1")).run();
        s.bind(1, std::string(kSideGenerationKey)).bind(2, std::string("1")).run();
        impl->exec("COMMIT");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw Error(path + ": cannot create the gallery database (" + std::strerror(errno) + ")");
    GalleryStore store = open(path, Mode::ReadWrite);
    // WAL (kept in the file from now on): readers (search) never block the
    // indexer and vice versa, and with synchronous=NORMAL a killed process
    // never loses a committed batch.
    store.impl_->exec("PRAGMA journal_mode = WAL");
    return store;
}

GalleryStore GalleryStore::open(const std::string& path, Mode mode)
{
    requireRegularFile(path);
    const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    auto impl = Impl::connect(path, flags);
    if (mode == Mode::ReadWrite)
        impl->exec("PRAGMA synchronous = NORMAL");
    const std::string version = impl->storedSchemaVersion();
    if (version == "1" || version == "2" || version == "3") {
        impl->schemaVersion = std::stoi(version);
        if (mode == Mode::ReadWrite) {
            // Not a Transaction: the vectors do not change, so the generation
            // (and with it the index caches) stays valid.
            impl->exec("BEGIN IMMEDIATE");
            try {
                // Another writer may have migrated it since the check above.
                const std::string now = impl->storedSchemaVersion();
                if (now == "1")
                    impl->exec(kMigrationTo2);
                if (now == "1" || now == "2") {
                    impl->exec(kSecondSpaceSchema.c_str());
                    Impl::Statement(*impl, "INSERT OR IGNORE INTO meta (key, value) VALUES (?, '1')")
                        .bind(1, std::string(kSecondGenerationKey))
                        .run();
                }
                if (now == "1" || now == "2" || now == "3") {
                    impl->exec(kSideInformationSchema.c_str());
                    Impl::Statement(*impl, "INSERT OR IGNORE INTO meta (key, value) VALUES (?, '1')")
                        .bind(1, std::string(kSideGenerationKey))
                        .run();
                    Impl::Statement(*impl, "UPDATE meta SET value = ? WHERE key = 'schema_version'")
                        .bind(1, std::to_string(kSchemaVersion))
                        .run();
                }
                impl->exec("COMMIT");
            } catch (...) {
                sqlite3_exec(impl->db, "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
            impl->schemaVersion = kSchemaVersion;
        }
    } else if (version != std::to_string(kSchemaVersion)) {
        throw Error(path + ": gallery schema version " + version + " is not one this xbt reads (1 to " +
                    std::to_string(kSchemaVersion) +
                    "); use the xbt that wrote it, or delete the gallery and index again");
    }
    impl->settings = gallerySettingsFromJson(impl->metaValue("settings"), path + " meta");
    return GalleryStore(std::move(impl));
}

const std::string& GalleryStore::path() const { return impl_->path; }
const GallerySettings& GalleryStore::settings() const { return impl_->settings; }

void GalleryStore::updateSettings(const GallerySettings& settings)
{
    if (settings.embeddingDim != impl_->settings.embeddingDim || settings.precision != impl_->settings.precision)
        throw Error(impl_->path + ": the embedding size and precision of a gallery cannot change");
    Impl::Transaction t(*impl_);
    Impl::Statement(*impl_, "UPDATE meta SET value = ? WHERE key = 'settings'").bind(1, toJsonText(settings)).run();
    t.commit();
    impl_->settings = settings;
}

int64_t GalleryStore::generation() const { return std::stoll(impl_->metaValue("generation")); }

namespace {

// The item columns every item query selects, in the order readItem() reads
// (a schema 1 database, read-only, has no provenance columns).
std::string itemColumns(int schemaVersion)
{
    return std::string("SELECT id, path, size, mtime_ns, content_hash, status, error, made_by, ") +
           (schemaVersion >= 2 ? "embedded_by, adapter" : "NULL, NULL") + " FROM items";
}

template <typename Statement>
StoredItem readItem(Statement& s, const std::string& ownModel)
{
    StoredItem it;
    it.id = s.integer(0);
    it.path = s.text(1);
    it.size = s.integer(2);
    it.mtimeNs = s.integer(3);
    it.contentHash = s.text(4);
    it.status = parseStatus(s.text(5));
    it.error = s.text(6);
    it.madeBy = s.text(7);
    it.embeddedBy = s.text(8);
    it.adapter = s.text(9);
    if (it.embeddedBy.empty() && it.status == ItemStatus::Embedded)
        it.embeddedBy = ownModel;
    return it;
}

}  // namespace

std::vector<StoredItem> GalleryStore::items() const
{
    std::vector<StoredItem> out;
    Impl::Statement s(*impl_, (itemColumns(impl_->schemaVersion) + " ORDER BY id").c_str());
    const std::string ownModel = impl_->ownModel();
    while (s.step())
        out.push_back(readItem(s, ownModel));
    return out;
}

std::optional<StoredItem> GalleryStore::item(int64_t id) const
{
    Impl::Statement s(*impl_, (itemColumns(impl_->schemaVersion) + " WHERE id = ?").c_str());
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    return readItem(s, impl_->ownModel());
}

ItemCounts GalleryStore::counts() const
{
    ItemCounts c;
    Impl::Statement s(*impl_, "SELECT status, COUNT(*) FROM items GROUP BY status");
    while (s.step()) {
        const ItemStatus st = parseStatus(s.text(0));
        (st == ItemStatus::Embedded ? c.embedded : st == ItemStatus::Failed ? c.failed : c.pending) = s.integer(1);
    }
    Impl::Statement captions(*impl_, "SELECT COUNT(*) FROM captions");
    if (captions.step())
        c.captions = captions.integer(0);
    return c;
}

StoredVectors GalleryStore::imageVectors() const
{
    return impl_->vectors("SELECT id, embedding FROM items WHERE status = 'embedded' ORDER BY id", "items");
}

StoredVectors GalleryStore::captionVectors() const
{
    return impl_->vectors("SELECT id, embedding FROM captions ORDER BY id", "captions");
}

std::optional<StoredCaption> GalleryStore::caption(int64_t id) const
{
    Impl::Statement s(*impl_, "SELECT id, item_id, text FROM captions WHERE id = ?");
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    return StoredCaption{s.integer(0), s.integer(1), s.text(2)};
}

std::vector<StoredCaption> GalleryStore::captions() const
{
    std::vector<StoredCaption> out;
    Impl::Statement s(*impl_, "SELECT id, item_id, text FROM captions ORDER BY item_id, id");
    while (s.step())
        out.push_back({s.integer(0), s.integer(1), s.text(2)});
    return out;
}

std::vector<std::pair<int64_t, std::vector<std::string>>> GalleryStore::captionTexts() const
{
    std::vector<std::pair<int64_t, std::vector<std::string>>> out;
    Impl::Statement s(*impl_, "SELECT item_id, text FROM captions ORDER BY item_id, id");
    while (s.step()) {
        const int64_t item = s.integer(0);
        if (out.empty() || out.back().first != item)
            out.push_back({item, {}});
        out.back().second.push_back(s.text(1));
    }
    return out;
}

CommitResult GalleryStore::commitItems(const std::vector<ItemUpdate>& updates)
{
    CommitResult result;
    Impl::Transaction t(*impl_);
    Impl::Statement insert(*impl_,
                           "INSERT INTO items (path, size, mtime_ns, content_hash, status, error, made_by, embedding, "
                           "embedded_by, adapter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Impl::Statement update(*impl_,
                           "UPDATE items SET path = ?, size = ?, mtime_ns = ?, content_hash = ?, status = ?, error = ?, "
                           "made_by = ?, embedding = ?, embedded_by = ?, adapter = ? WHERE id = ?");
    const std::string ownModel = impl_->ownModel();
    Impl::Statement dropCaptions(*impl_, "DELETE FROM captions WHERE item_id = ?");
    for (const ItemUpdate& u : updates) {
        if (u.status == ItemStatus::Embedded && static_cast<int>(u.embedding.size()) != impl_->settings.embeddingDim)
            throw Error(impl_->path + ": embedding of " + u.path + " has " + std::to_string(u.embedding.size()) +
                        " values, the gallery holds " + std::to_string(impl_->settings.embeddingDim));
        if (!allFinite(u.embedding.data(), static_cast<int64_t>(u.embedding.size())))
            throw Error(impl_->path + ": the embedding of " + u.path +
                        " holds NaN or infinite values; refusing to store it");
        Impl::Statement& s = u.id > 0 ? update : insert;
        s.bind(1, u.path).bind(2, u.size).bind(3, u.mtimeNs).bind(4, u.contentHash).bind(5, std::string(itemStatusName(u.status)));
        if (u.error.empty())
            s.bindNull(6);
        else
            s.bind(6, u.error);
        if (u.madeBy.empty())
            s.bindNull(7);
        else
            s.bind(7, u.madeBy);
        if (u.embedding.empty())
            s.bindNull(8);
        else
            s.bindBlob(8, impl_->encode(u.embedding.data(), static_cast<int64_t>(u.embedding.size())));
        if (u.status != ItemStatus::Embedded)
            s.bindNull(9).bindNull(10);
        else
            s.bind(9, u.embeddedBy.empty() ? ownModel : u.embeddedBy).bind(10, u.adapter);
        if (u.id > 0) {
            s.bind(11, u.id);
            const std::vector<int64_t> old = impl_->captionIdsOf(u.id);
            result.removedCaptionIds.insert(result.removedCaptionIds.end(), old.begin(), old.end());
            dropCaptions.bind(1, u.id).run();
        }
        s.run();
        result.itemIds.push_back(u.id > 0 ? u.id : sqlite3_last_insert_rowid(impl_->db));
    }
    t.commit();
    return result;
}

void GalleryStore::updateFileStats(const std::vector<ItemUpdate>& updates)
{
    if (updates.empty())
        return;
    Impl::Transaction t(*impl_);
    Impl::Statement s(*impl_, "UPDATE items SET size = ?, mtime_ns = ? WHERE id = ?");
    for (const ItemUpdate& u : updates)
        s.bind(1, u.size).bind(2, u.mtimeNs).bind(3, u.id).run();
    t.commit();
}

CommitResult GalleryStore::removeItems(const std::vector<int64_t>& ids)
{
    CommitResult result;
    if (ids.empty())
        return result;
    Impl::Transaction t(*impl_);
    Impl::Statement s(*impl_, "DELETE FROM items WHERE id = ?");
    for (int64_t id : ids) {
        const std::vector<int64_t> captions = impl_->captionIdsOf(id);
        result.removedCaptionIds.insert(result.removedCaptionIds.end(), captions.begin(), captions.end());
        s.bind(1, id).run();
        result.itemIds.push_back(id);
    }
    t.commit();
    return result;
}

CommitResult GalleryStore::replaceCaptions(const std::vector<CaptionSet>& sets)
{
    CommitResult result;
    if (sets.empty())
        return result;
    Impl::Transaction t(*impl_);
    Impl::Statement drop(*impl_, "DELETE FROM captions WHERE item_id = ?");
    Impl::Statement insert(*impl_, "INSERT INTO captions (item_id, text, embedding, made_by) VALUES (?, ?, ?, ?)");
    for (const CaptionSet& set : sets) {
        if (static_cast<int64_t>(set.texts.size()) != set.embeddings.rows ||
            set.embeddings.cols != impl_->settings.embeddingDim)
            throw Error(impl_->path + ": captions of item " + std::to_string(set.itemId) +
                        " do not match their embeddings (internal error)");
        if (!allFinite(set.embeddings.data.data(), static_cast<int64_t>(set.embeddings.data.size())))
            throw Error(impl_->path + ": an embedding of the captions of item " + std::to_string(set.itemId) +
                        " holds NaN or infinite values; refusing to store it");
        const std::vector<int64_t> old = impl_->captionIdsOf(set.itemId);
        result.removedCaptionIds.insert(result.removedCaptionIds.end(), old.begin(), old.end());
        drop.bind(1, set.itemId).run();
        for (size_t i = 0; i < set.texts.size(); ++i) {
            insert.bind(1, set.itemId)
                .bind(2, set.texts[i])
                .bindBlob(3, impl_->encode(set.embeddings.row(static_cast<int64_t>(i)), set.embeddings.cols))
                .bind(4, set.madeBy)
                .run();
            result.addedCaptionIds.push_back(sqlite3_last_insert_rowid(impl_->db));
        }
        result.itemIds.push_back(set.itemId);
    }
    t.commit();
    return result;
}


// --- The second space -------------------------------------------------------

namespace {

nlohmann::json secondSpaceJson(const SecondSpace& s)
{
    return {{"model_name", s.modelName},
            {"model_fingerprint", s.modelFingerprint},
            {"model_spec", s.modelSpec},
            {"embedding_dim", s.embeddingDim},
            {"retired", s.retired}};
}

}  // namespace

std::optional<SecondSpace> GalleryStore::secondSpace() const
{
    if (impl_->schemaVersion < 3)
        return std::nullopt;
    Impl::Statement s(*impl_, "SELECT value FROM meta WHERE key = ?");
    s.bind(1, std::string(kSecondSpaceKey));
    if (!s.step())
        return std::nullopt;
    const std::string where = impl_->path + " meta " + kSecondSpaceKey;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(s.text(0));
        SecondSpace out;
        out.modelName = j.at("model_name").get<std::string>();
        out.modelFingerprint = j.at("model_fingerprint").get<std::string>();
        out.modelSpec = j.value("model_spec", std::string());
        out.embeddingDim = j.at("embedding_dim").get<int>();
        out.retired = j.value("retired", false);
        if (out.embeddingDim <= 0)
            throw Error("embedding_dim must be positive");
        return out;
    } catch (const std::exception& e) {
        throw Error(where + ": cannot be read (" + e.what() +
                    "); drop the new-model store with xbt backfill --discard and backfill again");
    }
}

int64_t GalleryStore::secondSpaceGeneration() const
{
    if (impl_->schemaVersion < 3)
        return 0;
    return std::stoll(impl_->metaValue(kSecondGenerationKey));
}

void GalleryStore::setSecondSpace(const SecondSpace& space)
{
    if (impl_->schemaVersion < 3)
        throw Error(impl_->path + ": open the gallery for writing to give it a new-model store (internal error)");
    if (space.embeddingDim <= 0 || space.modelFingerprint.empty())
        throw Error(impl_->path + ": the new-model store needs a model with a fingerprint and a size (internal error)");
    const std::optional<SecondSpace> current = secondSpace();
    if (current && current->modelFingerprint == space.modelFingerprint && current->retired == space.retired)
        return;
    if (current && (secondSpaceCounts().images > 0 || secondSpaceCounts().captions > 0))
        throw Error(impl_->path + ": the gallery's " + (current->retired ? "retired-model store" : "new-model store") +
                    " holds embeddings of model " + current->modelName + " (fingerprint " +
                    fingerprintPrefix(current->modelFingerprint) + "), not of " + space.modelName + " (fingerprint " +
                    fingerprintPrefix(space.modelFingerprint) +
                    "); the two spaces never mix. Drop it first (xbt backfill --discard) to start over with " +
                    space.modelName);
    Impl::Transaction t(*impl_, kSecondGenerationKey);
    Impl::Statement(*impl_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
        .bind(1, std::string(kSecondSpaceKey))
        .bind(2, secondSpaceJson(space).dump())
        .run();
    t.commit();
}

void GalleryStore::dropSecondSpace()
{
    if (impl_->schemaVersion < 3)
        return;
    Impl::Transaction t(*impl_, kSecondGenerationKey);
    impl_->exec("DELETE FROM second_space_items");
    impl_->exec("DELETE FROM second_space_captions");
    Impl::Statement(*impl_, "DELETE FROM meta WHERE key = ?").bind(1, std::string(kSecondSpaceKey)).run();
    t.commit();
}

SecondSpaceCounts GalleryStore::secondSpaceCounts() const
{
    SecondSpaceCounts c;
    if (impl_->schemaVersion < 3)
        return c;
    std::tie(c.images, c.captions) = impl_->countRows("second_space");
    return c;
}

std::vector<int64_t> GalleryStore::secondSpaceItemIds() const
{
    if (impl_->schemaVersion < 3)
        return {};
    return impl_->currentItemIds("second_space");
}

StoredVectors GalleryStore::secondSpaceImageVectors() const
{
    const std::optional<SecondSpace> space = secondSpace();
    if (!space)
        return {};
    return impl_->vectors(("SELECT s.item_id, s.embedding" + Impl::currentItemRows("second_space") + " ORDER BY s.item_id")
                              .c_str(),
                          "second_space_items", space->embeddingDim);
}

StoredVectors GalleryStore::secondSpaceCaptionVectors() const
{
    const std::optional<SecondSpace> space = secondSpace();
    if (!space)
        return {};
    return impl_->vectors("SELECT caption_id, embedding FROM second_space_captions ORDER BY caption_id",
                          "second_space_captions", space->embeddingDim);
}

StoredVectors GalleryStore::secondSpaceImageVectors(const std::vector<int64_t>& itemIds) const
{
    const std::optional<SecondSpace> space = secondSpace();
    StoredVectors out;
    if (!space)
        return out;
    out.vectors.cols = space->embeddingDim;
    std::vector<int64_t> ids = itemIds;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    Impl::Statement s(*impl_, ("SELECT s.embedding" + Impl::currentItemRows("second_space") + " AND s.item_id = ?").c_str());
    for (int64_t id : ids) {
        s.bind(1, id);
        if (s.step()) {
            out.ids.push_back(id);
            out.vectors.data.resize(out.vectors.data.size() + static_cast<size_t>(out.vectors.cols));
            impl_->decodeInto(s.text(0), out.vectors.data.data() + out.vectors.rows * out.vectors.cols, id,
                              "second_space_items", out.vectors.cols);
            ++out.vectors.rows;
        }
        s.reset();
    }
    return out;
}

SecondSpaceCounts GalleryStore::commitSecondSpace(const std::vector<SecondSpaceImage>& images,
                                                  const std::vector<SecondSpaceCaption>& captions)
{
    SecondSpaceCounts stored;
    if (images.empty() && captions.empty())
        return stored;
    const std::optional<SecondSpace> space = secondSpace();
    if (!space)
        throw Error(impl_->path + ": the gallery has no new-model store to write to (internal error: setSecondSpace first)");
    auto check = [&](const std::vector<float>& v, const std::string& what) {
        if (static_cast<int>(v.size()) != space->embeddingDim)
            throw Error(impl_->path + ": the new-model embedding of " + what + " has " + std::to_string(v.size()) +
                        " values, the store holds " + std::to_string(space->embeddingDim) + " (" + space->modelName +
                        ")");
        if (!allFinite(v.data(), static_cast<int64_t>(v.size())))
            throw Error(impl_->path + ": the new-model embedding of " + what +
                        " holds NaN or infinite values; refusing to store it");
    };
    Impl::Transaction t(*impl_, kSecondGenerationKey);
    // Only while the item still holds the content the embedding was made from.
    Impl::Statement image(*impl_, Impl::itemRowInsert("second_space", "embedding").c_str());
    for (const SecondSpaceImage& i : images) {
        check(i.embedding, "item " + std::to_string(i.itemId));
        image.bindBlob(1, impl_->encode(i.embedding.data(), static_cast<int64_t>(i.embedding.size())))
            .bind(2, i.itemId)
            .bind(3, i.contentHash)
            .run();
        stored.images += sqlite3_changes(impl_->db);
    }
    Impl::Statement caption(*impl_, Impl::captionRowInsert("second_space", "embedding").c_str());
    for (const SecondSpaceCaption& c : captions) {
        check(c.embedding, "caption " + std::to_string(c.captionId));
        caption.bindBlob(1, impl_->encode(c.embedding.data(), static_cast<int64_t>(c.embedding.size())))
            .bind(2, c.captionId)
            .run();
        stored.captions += sqlite3_changes(impl_->db);
    }
    t.commit();
    return stored;
}

void GalleryStore::promoteSecondSpace()
{
    const std::optional<SecondSpace> space = secondSpace();
    if (!space)
        throw Error(impl_->path + ": the gallery has no new-model store; backfill it first (xbt backfill)");
    Impl::Transaction t(*impl_);
    int64_t missingImages = 0, missingCaptions = 0;
    {
        Impl::Statement s(*impl_,
                          "SELECT COUNT(*) FROM items i WHERE i.status = 'embedded' AND NOT EXISTS (SELECT 1 FROM "
                          "second_space_items s WHERE s.item_id = i.id AND s.content_hash = i.content_hash)");
        if (s.step())
            missingImages = s.integer(0);
        Impl::Statement c(*impl_,
                          "SELECT COUNT(*) FROM captions c WHERE NOT EXISTS (SELECT 1 FROM second_space_captions s "
                          "WHERE s.caption_id = c.id)");
        if (c.step())
            missingCaptions = c.integer(0);
    }
    if (missingImages > 0 || missingCaptions > 0)
        throw Error(impl_->path + ": " + std::to_string(missingImages) + " images and " +
                    std::to_string(missingCaptions) + " captions have no embedding by " + space->modelName +
                    " yet; finish the backfill (xbt backfill without --budget) and promote again. Nothing changed");
    const GallerySettings before = impl_->settings;
    GallerySettings after = before;
    after.modelName = space->modelName;
    after.modelFingerprint = space->modelFingerprint;
    after.modelSpec = space->modelSpec;
    after.embeddingDim = space->embeddingDim;
    after.preprocessing.clear();  // recorded again by the next xbt index with this model
    SecondSpace previous;
    previous.modelName = before.modelName;
    previous.modelFingerprint = before.modelFingerprint;
    previous.modelSpec = before.modelSpec;
    previous.embeddingDim = before.embeddingDim;
    previous.retired = !space->retired;
    impl_->exec("CREATE TEMP TABLE swap_items AS SELECT id, embedding FROM items WHERE status = 'embedded'");
    impl_->exec("CREATE TEMP TABLE swap_captions AS SELECT id, embedding FROM captions");
    impl_->exec("UPDATE items SET embedding = (SELECT s.embedding FROM second_space_items s WHERE s.item_id = items.id) "
                "WHERE status = 'embedded'");
    impl_->exec("UPDATE second_space_items SET embedding = (SELECT w.embedding FROM swap_items w "
                "WHERE w.id = second_space_items.item_id)");
    impl_->exec("UPDATE captions SET embedding = (SELECT s.embedding FROM second_space_captions s "
                "WHERE s.caption_id = captions.id)");
    impl_->exec("UPDATE second_space_captions SET embedding = (SELECT w.embedding FROM swap_captions w "
                "WHERE w.id = second_space_captions.caption_id)");
    impl_->exec("DROP TABLE swap_items");
    impl_->exec("DROP TABLE swap_captions");
    const std::string madeBy = after.modelFingerprint;
    Impl::Statement(*impl_, "UPDATE items SET made_by = ?, embedded_by = ?, adapter = NULL WHERE status = 'embedded'")
        .bind(1, madeBy)
        .bind(2, embeddedByText(after.modelName, after.modelFingerprint))
        .run();
    Impl::Statement(*impl_, "UPDATE captions SET made_by = ?").bind(1, madeBy).run();
    Impl::Statement setMeta(*impl_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    setMeta.bind(1, std::string("settings")).bind(2, toJsonText(after)).run();
    setMeta.bind(1, std::string(kSecondSpaceKey)).bind(2, secondSpaceJson(previous).dump()).run();
    Impl::Statement(*impl_, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?")
        .bind(1, std::string(kSecondGenerationKey))
        .run();
    t.commit();
    impl_->settings = after;
}

// --- Side information -------------------------------------------------------

SideInformationCounts GalleryStore::sideInformationCounts() const
{
    SideInformationCounts c;
    if (impl_->schemaVersion < 4)
        return c;
    std::tie(c.images, c.captions) = impl_->countRows("side_information");
    return c;
}

std::vector<StoredItem> GalleryStore::itemsWithoutSideInformation() const
{
    std::vector<StoredItem> out;
    for (StoredItem& item : items())
        if (item.status == ItemStatus::Embedded)
            out.push_back(std::move(item));
    if (impl_->schemaVersion < 4)
        return out;
    const std::vector<int64_t> have = impl_->currentItemIds("side_information");
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const StoredItem& i) { return std::binary_search(have.begin(), have.end(), i.id); }),
              out.end());
    return out;
}

std::vector<StoredCaption> GalleryStore::captionsWithoutSideInformation() const
{
    std::vector<StoredCaption> out;
    const char* sql = impl_->schemaVersion < 4
                          ? "SELECT id, item_id, text FROM captions ORDER BY id"
                          : "SELECT c.id, c.item_id, c.text FROM captions c LEFT JOIN side_information_captions s "
                            "ON s.caption_id = c.id WHERE s.caption_id IS NULL ORDER BY c.id";
    Impl::Statement s(*impl_, sql);
    while (s.step())
        out.push_back({s.integer(0), s.integer(1), s.text(2)});
    return out;
}

SideInformationCounts GalleryStore::commitSideInformation(const std::vector<SideInformationRow>& images,
                                                          const std::vector<SideInformationRow>& captions,
                                                          int dims)
{
    SideInformationCounts stored;
    if (images.empty() && captions.empty())
        return stored;
    if (impl_->schemaVersion < 4)
        throw Error(impl_->path + ": open the gallery for writing to store side information (internal error)");
    auto check = [&](const SideInformationRow& r, const std::string& what) {
        if (static_cast<int>(r.values.size()) != dims || !allFinite(r.values.data(), dims))
            throw Error(impl_->path + ": the side information of " + what + " is not " + std::to_string(dims) +
                        " finite numbers (internal error)");
    };
    Impl::Transaction t(*impl_, kSideGenerationKey);
    Impl::Statement image(*impl_, Impl::itemRowInsert("side_information", "vector").c_str());
    for (const SideInformationRow& r : images) {
        check(r, "item " + std::to_string(r.id));
        image.bindBlob(1, impl_->encode(r.values.data(), dims)).bind(2, r.id).bind(3, r.contentHash).run();
        stored.images += sqlite3_changes(impl_->db);
    }
    Impl::Statement caption(*impl_, Impl::captionRowInsert("side_information", "vector").c_str());
    for (const SideInformationRow& r : captions) {
        check(r, "caption " + std::to_string(r.id));
        caption.bindBlob(1, impl_->encode(r.values.data(), dims)).bind(2, r.id).run();
        stored.captions += sqlite3_changes(impl_->db);
    }
    t.commit();
    return stored;
}

StoredVectors GalleryStore::imageSideInformation(int dims) const
{
    if (impl_->schemaVersion < 4)
        return StoredVectors{{}, Matrix(0, dims)};
    return impl_->vectors(
        ("SELECT s.item_id, s.vector" + Impl::currentItemRows("side_information") + " ORDER BY s.item_id").c_str(),
        "side_information_items", dims);
}

StoredVectors GalleryStore::captionSideInformation(int dims) const
{
    if (impl_->schemaVersion < 4)
        return StoredVectors{{}, Matrix(0, dims)};
    return impl_->vectors("SELECT caption_id, vector FROM side_information_captions ORDER BY caption_id",
                          "side_information_captions", dims);
}

}  // namespace xbt
