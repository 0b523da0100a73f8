#include "core/model/builtin/SampleModelConfig.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>

#include <set>

namespace xbt {

using nlohmann::json;

namespace {

// Reads `key` of `obj` into `out` when present; a wrong type is an error that
// names the file and the dotted key.
// Every key read is also recorded with its section's prefix, so that keys
// nobody read can be refused afterwards (see refuseUnknownKeys).
using ReadKeys = std::set<std::string>;

template <typename T>
void readKey(const json& obj, const std::string& key, T& out, const std::string& where, ReadKeys& read)
{
    read.insert(where + key);
    if (!obj.contains(key))
        return;
    try {
        out = obj.at(key).get<T>();
    } catch (const json::exception&) {
        throw Error(where + key + ": wrong type (" + std::string(obj.at(key).type_name()) + ")");
    }
}

const json& section(const json& root, const std::string& name, const std::string& source)
{
    static const json empty = json::object();
    if (!root.contains(name))
        return empty;
    if (!root.at(name).is_object())
        throw Error(source + ": \"" + name + "\" must be an object");
    return root.at(name);
}

// A key this version does not know is a typo or an option of a newer
// version; ignoring it would build a different model than the file
// describes (and load its weights into it), so it is an error that names it.
void refuseUnknownKeys(const json& obj, const std::string& where, const ReadKeys& read)
{
    for (const auto& item : obj.items())
        if (!read.count(where + item.key()))
            throw Error(where + item.key() +
                        ": unknown setting (a typo, or a model made by a newer version of the workbench)");
}

}  // namespace

SampleModelConfig SampleModelConfig::fromFile(const std::string& path)
{
    return fromJsonText(readFileBytes(path), path);
}

SampleModelConfig SampleModelConfig::fromJsonText(const std::string& text, const std::string& sourceName)
{
    const json root = parseJson(text, sourceName);
    if (!root.is_object())
        throw Error(sourceName + ": expected a JSON object");
    SampleModelConfig c;
    const std::string at = sourceName + ": ";
    ReadKeys read;
    for (const char* name : {"image", "text", "data", "training", "compatibility"})
        read.insert(at + name);
    readKey(root, "name", c.name, at, read);
    readKey(root, "description", c.description, at, read);
    readKey(root, "embedding_dim", c.embeddingDim, at, read);
    const json& img = section(root, "image", sourceName);
    readKey(img, "tower", c.image.tower, at + "image.", read);
    readKey(img, "resolution", c.image.resolution, at + "image.", read);
    readKey(img, "channels", c.image.channels, at + "image.", read);
    readKey(img, "blocks_per_stage", c.image.blocksPerStage, at + "image.", read);
    const json& txt = section(root, "text", sourceName);
    readKey(txt, "tower", c.text.tower, at + "text.", read);
    readKey(txt, "width", c.text.width, at + "text.", read);
    readKey(txt, "layers", c.text.layers, at + "text.", read);
    readKey(txt, "heads", c.text.heads, at + "text.", read);
    readKey(txt, "context_length", c.text.contextLength, at + "text.", read);
    readKey(txt, "block", c.text.block, at + "text.", read);
    readKey(txt, "pooling", c.text.pooling, at + "text.", read);
    readKey(txt, "causal", c.text.causal, at + "text.", read);
    readKey(txt, "positional_init", c.text.positionalInit, at + "text.", read);
    readKey(txt, "word_mean_path", c.text.wordMeanPath, at + "text.", read);
    const json& data = section(root, "data", sourceName);
    readKey(data, "train_split", c.data.trainSplit, at + "data.", read);
    readKey(data, "train_count", c.data.trainCount, at + "data.", read);
    readKey(data, "val_count", c.data.valCount, at + "data.", read);
    readKey(data, "seed", c.data.seed, at + "data.", read);
    const json& tr = section(root, "training", sourceName);
    readKey(tr, "epochs", c.training.epochs, at + "training.", read);
    readKey(tr, "batch_size", c.training.batchSize, at + "training.", read);
    readKey(tr, "learning_rate", c.training.learningRate, at + "training.", read);
    readKey(tr, "weight_decay", c.training.weightDecay, at + "training.", read);
    readKey(tr, "warmup_steps", c.training.warmupSteps, at + "training.", read);
    readKey(tr, "initial_temperature", c.training.initialTemperature, at + "training.", read);
    readKey(tr, "seed", c.training.seed, at + "training.", read);
    readKey(tr, "checkpoint_every", c.training.checkpointEvery, at + "training.", read);
    readKey(tr, "validate_every", c.training.validateEvery, at + "training.", read);
    readKey(tr, "threads", c.training.threads, at + "training.", read);
    readKey(tr, "keep_twins_together", c.training.keepTwinsTogether, at + "training.", read);
    readKey(tr, "text_negatives", c.training.textNegatives, at + "training.", read);
    const json& compat = section(root, "compatibility", sourceName);
    SampleCompatibilityConfig& cc = c.compatibility;
    readKey(compat, "method", cc.method, at + "compatibility.", read);
    readKey(compat, "old_model", cc.oldModel, at + "compatibility.", read);
    readKey(compat, "reference_model", cc.referenceModel, at + "compatibility.", read);
    readKey(compat, "weight", cc.weight, at + "compatibility.", read);
    readKey(compat, "reference_weight", cc.referenceWeight, at + "compatibility.", read);
    readKey(compat, "extra_dims", cc.extraDims, at + "compatibility.", read);
    readKey(compat, "old_name", cc.oldName, at + "compatibility.", read);
    readKey(compat, "old_fingerprint", cc.oldFingerprint, at + "compatibility.", read);
    readKey(compat, "old_dims", cc.oldDims, at + "compatibility.", read);

    refuseUnknownKeys(root, at, read);
    refuseUnknownKeys(img, at + "image.", read);
    refuseUnknownKeys(txt, at + "text.", read);
    refuseUnknownKeys(data, at + "data.", read);
    refuseUnknownKeys(tr, at + "training.", read);
    refuseUnknownKeys(compat, at + "compatibility.", read);

    auto require = [&](bool ok, const std::string& what) {
        if (!ok)
            throw Error(at + what);
    };
    require(c.image.tower == "cnn-pooled" || c.image.tower == "cnn-spatial",
            "image.tower must be \"cnn-pooled\" or \"cnn-spatial\"");
    require(c.text.tower == "bag-of-words" || c.text.tower == "transformer" || c.text.tower == "gru",
            "text.tower must be \"bag-of-words\", \"transformer\" or \"gru\"");
    require(c.text.block == "post-norm" || c.text.block == "pre-norm",
            "text.block must be \"post-norm\" or \"pre-norm\"");
    require(c.text.pooling == "end" || c.text.pooling == "mean", "text.pooling must be \"end\" or \"mean\"");
    require(c.text.positionalInit >= 0.0, "text.positional_init must be >= 0");
    require(!c.text.wordMeanPath || c.text.tower != "bag-of-words",
            "text.word_mean_path applies to the gru and transformer towers (bag-of-words is only that path)");
    require(c.embeddingDim > 0, "embedding_dim must be positive");
    require(c.image.resolution >= 16 && c.image.resolution <= 1024, "image.resolution must be in 16..1024");
    require(!c.image.channels.empty(), "image.channels must list at least one stage");
    for (int ch : c.image.channels)
        require(ch > 0 && ch % 8 == 0, "image.channels must be positive multiples of 8");
    require(c.image.blocksPerStage >= 0, "image.blocks_per_stage must be >= 0");
    require(c.text.width > 0 && c.text.layers >= 0 && c.text.heads > 0 && c.text.width % c.text.heads == 0,
            "text.width must be a positive multiple of text.heads");
    require(c.text.contextLength >= 4, "text.context_length must be >= 4");
    require(c.training.epochs > 0 && c.training.batchSize > 1, "training.epochs and batch_size must be positive");
    require(c.data.trainCount >= c.training.batchSize, "data.train_count must be at least one batch");
    require(cc.method.empty() || cc.method == "bct" || cc.method == "bt2" || cc.method == "oca",
            "compatibility.method must be \"bct\", \"bt2\" or \"oca\"");
    if (cc.enabled()) {
        require(!cc.oldModel.empty(), "compatibility.old_model names the frozen old model (e.g. \"sample-old\")");
        require(cc.weight >= 0.0 && cc.referenceWeight >= 0.0,
                "compatibility.weight and reference_weight must be >= 0");
        require(cc.method == "bct" ? cc.extraDims == 0 : cc.extraDims > 0,
                cc.method == "bct" ? "compatibility.extra_dims: bct adds no dimensions (its whole vector is the old "
                                     "model's size)"
                                   : "compatibility.extra_dims must be > 0 for " + cc.method +
                                         " (the dims beyond the old model's)");
        require(cc.oldDims == 0 || c.embeddingDim == cc.oldDims + cc.extraDims,
                "embedding_dim must be compatibility.old_dims + extra_dims");
    }
    return c;
}

std::string SampleModelConfig::toJsonText() const
{
    json j = {
        {"name", name},
        {"description", description},
        {"embedding_dim", embeddingDim},
        {"image",
         {{"tower", image.tower},
          {"resolution", image.resolution},
          {"channels", image.channels},
          {"blocks_per_stage", image.blocksPerStage}}},
        {"text",
         {{"tower", text.tower},
          {"width", text.width},
          {"layers", text.layers},
          {"heads", text.heads},
          {"context_length", text.contextLength}}},
        {"data",
         {{"train_split", data.trainSplit},
          {"train_count", data.trainCount},
          {"val_count", data.valCount},
          {"seed", data.seed}}},
        {"training",
         {{"epochs", training.epochs},
          {"batch_size", training.batchSize},
          {"learning_rate", training.learningRate},
          {"weight_decay", training.weightDecay},
          {"warmup_steps", training.warmupSteps},
          {"initial_temperature", training.initialTemperature},
          {"seed", training.seed},
          {"checkpoint_every", training.checkpointEvery},
          {"validate_every", training.validateEvery},
          {"threads", training.threads},
          {"keep_twins_together", training.keepTwinsTogether}}},
    };
    // Options newer than the first shipped recipes are written only when they
    // differ from the defaults,
    // so that configurations (and fingerprints) of models trained before the
    // options existed stay byte-identical.
    const SampleTextTowerConfig defaults;
    json& t = j["text"];
    if (text.block != defaults.block)
        t["block"] = text.block;
    if (text.pooling != defaults.pooling)
        t["pooling"] = text.pooling;
    if (text.causal != defaults.causal)
        t["causal"] = text.causal;
    if (text.positionalInit != defaults.positionalInit)
        t["positional_init"] = text.positionalInit;
    if (text.wordMeanPath != defaults.wordMeanPath)
        t["word_mean_path"] = text.wordMeanPath;
    if (training.textNegatives)
        j["training"]["text_negatives"] = true;
    if (compatibility.enabled()) {
        const SampleCompatibilityConfig& cc = compatibility;
        json compat = {{"method", cc.method},         {"old_model", cc.oldModel}, {"weight", cc.weight},
                       {"extra_dims", cc.extraDims}};
        if (!cc.referenceModel.empty()) {
            compat["reference_model"] = cc.referenceModel;
            compat["reference_weight"] = cc.referenceWeight;
        }
        if (!cc.oldFingerprint.empty()) {
            compat["old_name"] = cc.oldName;
            compat["old_fingerprint"] = cc.oldFingerprint;
            compat["old_dims"] = cc.oldDims;
        }
        j["compatibility"] = compat;
    }
    return j.dump(2) + "\n";
}

std::string SampleModelConfig::architectureText() const
{
    json j = json::parse(toJsonText());
    j.erase("data");
    j.erase("training");
    j.erase("description");
    return j.dump();
}

}  // namespace xbt
