#pragma once
// The recipe of a built-in sample model: architecture, data and training
// settings, read from samples/<model>.json (see docs/sample-world.md). The
// same file sits beside trained weights, so a model folder is self-describing.

#include <string>
#include <vector>

namespace xbt {

struct SampleImageTowerConfig {
    // "cnn-pooled": global average pooling, blind to where things are;
    // "cnn-spatial": keeps the final feature map's layout (reads positions).
    std::string tower = "cnn-spatial";
    int resolution = 96;
    std::vector<int> channels{32, 64, 128, 128};  // one stride-2 stage each
    int blocksPerStage = 1;                       // extra stride-1 residual blocks
};

struct SampleTextTowerConfig {
    // "bag-of-words": mean of word vectors, blind to word order;
    // "gru": a bidirectional GRU over the words (order is in its structure);
    // "transformer": reads word order.
    std::string tower = "transformer";
    int width = 128;
    int layers = 2;
    int heads = 4;
    int contextLength = 32;
    // Transformer options. The defaults are those of the first shipped
    // sample-new, so its recipe and weights still load unchanged.
    std::string block = "post-norm";  // "post-norm" (LibTorch's layer) or "pre-norm" (CLIP's)
    std::string pooling = "end";      // "end": features at the end token; "mean": over the words
    bool causal = false;              // CLIP's left-to-right attention mask
    double positionalInit = 0.02;     // std of the learned position vectors at start
    // GRU and transformer: add a linear projection of the mean word vector to
    // the output. The words themselves (and their phrasing) then stay
    // linearly readable from the embedding, which is what lets an adapter map
    // it onto an older bag-of-words model's space; the sequence path adds
    // what depends on order.
    bool wordMeanPath = false;
};

struct SampleDataConfig {
    std::string trainSplit = "train-base";
    int trainCount = 10000;
    int valCount = 500;
    int seed = 1;
};

struct SampleTrainingConfig {
    int epochs = 10;
    int batchSize = 128;
    double learningRate = 2e-3;
    double weightDecay = 0.05;
    int warmupSteps = 100;
    double initialTemperature = 0.07;
    int seed = 0;
    int checkpointEvery = 200;   // steps
    int validateEvery = 0;       // steps; 0 = once per epoch
    int threads = 0;             // 0 = all cores
    // Put hard-case twins in the same batch (hard negatives).
    bool keepTwinsTogether = true;
    // Also rank each image's caption above a word-order negative of it (two
    // attributes swapped between objects, or a direction turned around):
    // NegCLIP's text hard negatives. Off in the first shipped recipes.
    bool textNegatives = false;
};

// Compatible training (docs/compatibility.md, "Compatible new models"): the
// model is trained to be comparable with a frozen old model. Empty method:
// an ordinary model. The old_* fields are filled in by training, so a
// finished model folder says which model it is compatible with.
struct SampleCompatibilityConfig {
    std::string method;             // "" | "bct" | "bt2" | "oca"
    std::string oldModel;           // spec of the frozen old model (as for --model)
    // bt2 / oca: the independently trained new model whose embeddings the
    // whole vector learns from (its dims must be the old dims + extra_dims).
    std::string referenceModel;
    double weight = 1.0;            // of the cross-modal influence loss against the old model
    double referenceWeight = 1.0;   // bt2 / oca: of the cosine loss to the reference model
    int extraDims = 0;              // bt2 / oca: dims beyond the old model's
    std::string oldName;            // recorded by training
    std::string oldFingerprint;
    int oldDims = 0;

    bool enabled() const { return !method.empty(); }
    // "whole": the whole vector compares with old embeddings (bct);
    // "first-dims": its first oldDims, renormalised (bt2, oca).
    const char* comparison() const { return method == "bct" ? "whole" : "first-dims"; }
};

struct SampleModelConfig {
    std::string name = "sample-model";
    std::string description;
    int embeddingDim = 256;
    SampleImageTowerConfig image;
    SampleTextTowerConfig text;
    SampleDataConfig data;
    SampleTrainingConfig training;
    SampleCompatibilityConfig compatibility;

    // Parses and validates; errors name the file and the key at fault.
    static SampleModelConfig fromFile(const std::string& path);
    static SampleModelConfig fromJsonText(const std::string& text, const std::string& sourceName);
    std::string toJsonText() const;
    // What changes the network's shape (for fingerprints and weight loading).
    std::string architectureText() const;
};

}  // namespace xbt
