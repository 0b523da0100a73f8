#include "core/adapt/training/AdapterSettingsTable.h"

#include "core/util/Error.h"

#include <algorithm>
#include <map>

namespace xbt {

using nlohmann::json;
using Kind = AdapterSetting::Kind;

namespace {

AdapterSetting setting(std::string key, Kind kind, json defaultValue, std::string help, double minimum = 0.0,
                       std::vector<std::string> choices = {})
{
    AdapterSetting s;
    s.key = std::move(key);
    s.kind = kind;
    s.defaultValue = std::move(defaultValue);
    s.help = std::move(help);
    s.minimum = minimum;
    s.choices = std::move(choices);
    return s;
}

AdapterSetting choice(std::string key, std::string defaultValue, std::string help, std::vector<std::string> choices)
{
    return setting(std::move(key), Kind::Text, std::move(defaultValue), std::move(help), 0.0, std::move(choices));
}

AdapterSetting bounded(std::string key, Kind kind, json defaultValue, std::string help, double minimum, double maximum)
{
    AdapterSetting s = setting(std::move(key), kind, std::move(defaultValue), std::move(help), minimum);
    s.maximum = maximum;
    return s;
}

// Every query adapter: how its queries are interpolated with the old model's
// own embedding of them (QueryInterpolation.h).
std::vector<AdapterSetting> interpolationSettings(const std::string& defaultKind)
{
    return {bounded("interpolate", Kind::NumberOrAuto, "auto",
                    "weight a of the adapter in each query, q = interp(old(x), phi(new(x)), a): 0 is today's query, 1 "
                    "the adapter alone; \"auto\" chooses a per direction on the validation split (above today at "
                    "R@1, R@5 and R@10, then the highest sum of them)",
                    0.0, 1.0),
            choice("interpolation", defaultKind,
                   "linear (normalised weighted sum) or spherical (along the great circle, SLERP); auto tries both "
                   "on the validation split",
                   {"auto", "linear", "spherical"}),
            bounded("interpolation_grid", Kind::NumberList,
                    json::array({0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}),
                    "the weights \"auto\" tries", 0.0, 1.0)};
}

std::vector<AdapterSetting> commonSettings()
{
    return {setting("seed", Kind::Integer, 0,
                    "seed of data order, noise and initialisation: the same seed gives the same adapter on one machine")};
}

std::vector<AdapterSetting> closedFormSettings(bool ridge)
{
    std::vector<AdapterSetting> s;
    if (ridge)
        s.push_back(setting("ridge", Kind::Number, 1e-3,
                            "ridge (L2) penalty of the least-squares fit, relative to the data's scale"));
    s.push_back(setting("image_pairs", Kind::Flag, true,
                        "also fit on the image embeddings of the pairs split when one is given (both models embed it)"));
    return s;
}

// The optimiser's rows of a trained stage (steps, batch_size, warmup_steps,
// lr, each with the stage's prefix, and the shared weight_decay,
// validate_every, checkpoint_every) are what OptimizerSettings::read takes.
std::vector<AdapterSetting> stage1Settings()
{
    return {
        setting("hidden", Kind::Integer, 512, "width of phi's residual MLP (0: phi is only the linear part)"),
        setting("sigma", Kind::NumberOrAuto, "auto",
                "noise on the new text embeddings in stage 1, as a fraction of their unit norm; \"auto\" tries "
                "sigma_grid and keeps the best validation recall"),
        setting("sigma_grid", Kind::NumberList, json::array({0.0, 0.1, 0.2, 0.4}), "the sigmas \"auto\" tries"),
        setting("sigma_search_steps", Kind::Integer, 300, "stage-1 steps of each sigma tried by \"auto\"", 1),
        setting("lambda", Kind::Number, 1.0, "weight of the (1 - cos) term beside stage 1's InfoNCE"),
        setting("stage1_steps", Kind::Integer, 1500, "stage-1 optimisation steps", 1),
        setting("stage1_batch_size", Kind::Integer, 256, "corpus sentences per stage-1 step", 2),
        setting("stage1_lr", Kind::Number, 1e-3, "stage-1 peak learning rate (AdamW, warm-up then cosine)"),
        setting("stage1_warmup_steps", Kind::Integer, 100, "stage-1 linear warm-up steps (at most half the steps)"),
        setting("weight_decay", Kind::Number, 0.01,
                "AdamW weight decay of the MLP weights (the linear part is not decayed)"),
        setting("initial_temperature", Kind::Number, 0.05, "starting temperature of the InfoNCE logits (learned)",
                1e-4),
        setting("ridge", Kind::Number, 1e-3, "ridge penalty of the least-squares fit that initialises phi's linear part"),
        setting("validation_sentences", Kind::Integer, 500,
                "corpus sentences held out for text->text validation when no validation split is given"),
        setting("validate_every", Kind::Integer, 250, "measure validation recall every N steps (0: only at the end)"),
        setting("checkpoint_every", Kind::Integer, 250, "write a checkpoint every N steps (0: only when cancelled)"),
    };
}

// The image map for image queries (ImageMapFit.h): xbt and xbt-stage1 both
// have the corpus embedded by the two models it is fitted on.
std::vector<AdapterSetting> imageMapSettings()
{
    return {
        choice("image_map", "auto",
               "project extension: image queries through a map of their own, psi = H^T, H the least-squares map "
               "from the corpus's old to its new text embeddings (text only; it ranks stored old captions as the new "
               "model would rank their new embeddings), instead of phi (and stage 2's image side); on: always, off: never, "
               "auto: when it is better than phi on validation image-to-text (above today's at R@1, R@5 and R@10, "
               "then R@1+R@5+R@10, interpolation included); texts keep phi",
               {"auto", "on", "off"}),
        setting("image_map_ridge_grid", Kind::NumberList, std::vector<double>{0.0001, 0.001, 0.01, 0.1},
                "the ridge lambdas of H the image map tries (relative to the mean eigenvalue of the old text "
                "embeddings' second moment); validation image-to-text picks one"),
        bounded("image_map_share_grid", Kind::NumberList, std::vector<double>{0.2, 0.4, 0.6, 0.8, 1.0},
                "the shares s of the image map in image queries tried on validation, normalize(s psi + (1 - s) "
                "phi(image side)); 1 is the image map alone (the best ridge is chosen with it alone)",
                0.05, 1.0),
    };
}

std::vector<AdapterSetting> stage2Settings()
{
    return {
        setting("stage1_adapter", Kind::Text, "",
                "name of a saved xbt-stage1 adapter to start from; then stage 1 is skipped and the old model is "
                "never loaded"),
        choice("image_adapter", "auto",
               "how stage 2 adapts the new image side: lora (built-in models), feature (a residual adapter on the "
               "image embedding) or auto (lora when the new model is built in)",
               {"auto", "lora", "feature"}),
        setting("lora_rank", Kind::Integer, 8, "LoRA rank r", 1),
        setting("lora_alpha", Kind::Number, 16.0, "LoRA scale alpha (the delta is B A alpha / r)"),
        setting("feature_hidden", Kind::Integer, 64, "hidden width of the residual feature adapter", 1),
        setting("stage2_steps", Kind::Integer, 300, "stage-2 optimisation steps", 1),
        setting("stage2_batch_size", Kind::Integer, 64, "image-text pairs per stage-2 step", 2),
        setting("stage2_lr", Kind::Number, 2e-3, "stage-2 peak learning rate of the image-side adapter"),
        setting("stage2_warmup_steps", Kind::Integer, 20, "stage-2 linear warm-up steps (at most half the steps)"),
        choice("stage2_phi", "text",
               "which stage-2 terms train phi: text (the gallery term and the text anchor; the image term trains "
               "only the image side), tune (every term), frozen (none: only the image side trains)",
               {"text", "tune", "frozen"}),
        setting("stage2_phi_lr_scale", Kind::Number, 1.0, "phi's learning rate in stage 2, relative to stage2_lr"),
        setting("text_anchor_weight", Kind::Number, 1.0,
                "weight of the term keeping phi on text (pairs captions and corpus) close to stage 1's phi"),
        setting("gallery_image_weight", Kind::Number, 1.0,
                "project extension (0: the published stage-2 loss): weight of caption->image InfoNCE + (1 - cos) pulling phi(new "
                "caption) onto the old model's embedding of its image, as an old gallery stores it (embedded before "
                "stage 2; needs stage2_phi text or tune)"),
        setting("gallery_text_weight", Kind::Number, 0.0,
                "project extension: weight of image->caption InfoNCE + (1 - cos) pulling the adapted image query "
                "onto the old model's embedding of its captions, as an old gallery stores them (embedded before "
                "stage 2; trains the image side). 0 by default: 1 was no better on the sample world's validation "
                "split (docs/compatibility.md, ablation)"),
        setting("unlabeled_captions", Kind::Integer, 1,
                "with unlabelled images (--unlabeled): corpus sentences the new model ranks highest for each image, "
                "taken as its pseudo captions in the caption -> stored image term (1 was best on the sample world's "
                "validation split; docs/compatibility.md)",
                1),
        setting("stage2_text_batch_size", Kind::Integer, 512,
                "captions (gallery term) and corpus sentences (text anchor) per stage-2 step", 2),
    };
}

std::vector<AdapterSetting> fctSettings()
{
    return {
        setting("hidden", Kind::Integer, 512, "width of h's residual MLP (0: h is only the linear part)"),
        setting("steps", Kind::Integer, 1000, "optimisation steps", 1),
        setting("batch_size", Kind::Integer, 256, "embedding pairs per step", 2),
        setting("lr", Kind::Number, 1e-3, "peak learning rate (AdamW, warm-up then cosine)"),
        setting("warmup_steps", Kind::Integer, 50, "linear warm-up steps (at most half the steps)"),
        setting("weight_decay", Kind::Number, 0.01, "AdamW weight decay of the MLP weights"),
        setting("cos_weight", Kind::Number, 1.0, "weight of the (1 - cos) term beside the squared error"),
        setting("contrastive_weight", Kind::Number, 0.0,
                "weight of a symmetric InfoNCE term between h's outputs and the batch's new embeddings (0: FCT's "
                "regression loss alone)"),
        setting("contrastive_temperature", Kind::Number, 0.05, "temperature of that InfoNCE term"),
        setting("corpus_texts", Kind::Flag, false,
                "also train on the corpus sentences' text embeddings, half of every batch (needs a corpus)"),
        choice("side_information", "none",
               "which items' side information h also reads (none, captions, images, both): a colour layout per "
               "image, hashed words and word pairs per caption, 64 numbers each, computed from the item as xbt "
               "index --side-information stores them. captions needs corpus_texts",
               {"none", "captions", "images", "both"}),
        setting("ridge", Kind::Number, 1e-3, "ridge penalty of the least-squares fit that initialises h's linear part"),
        setting("validate_every", Kind::Integer, 200, "measure validation recall every N steps (0: only at the end)"),
        setting("checkpoint_every", Kind::Integer, 200, "write a checkpoint every N steps (0: only when cancelled)"),
    };
}

std::vector<AdapterSetting> concat(std::vector<std::vector<AdapterSetting>> parts)
{
    std::vector<AdapterSetting> all;
    for (auto& part : parts)
        all.insert(all.end(), part.begin(), part.end());
    return all;
}

const std::map<std::string, std::vector<AdapterSetting>>& table()
{
    static const std::map<std::string, std::vector<AdapterSetting>> t = {
        {"lstsq", concat({closedFormSettings(true), interpolationSettings("auto"), commonSettings()})},
        {"procrustes", concat({closedFormSettings(false), interpolationSettings("auto"), commonSettings()})},
        {"slerp", concat({closedFormSettings(false), interpolationSettings("spherical"), commonSettings()})},
        {"xbt-stage1", concat({stage1Settings(), imageMapSettings(), interpolationSettings("auto"), commonSettings()})},
        {"xbt", concat({stage1Settings(), stage2Settings(), imageMapSettings(), interpolationSettings("auto"),
                         commonSettings()})},
        {"fct", concat({fctSettings(), commonSettings()})},
    };
    return t;
}

std::string join(const std::vector<std::string>& items)
{
    std::string s;
    for (const std::string& i : items)
        s += (s.empty() ? "" : ", ") + i;
    return s;
}

const char* kindText(Kind kind)
{
    switch (kind) {
    case Kind::Integer: return "an integer";
    case Kind::Number: return "a number";
    case Kind::Flag: return "true or false";
    case Kind::Text: return "a string";
    case Kind::NumberList: return "a list of numbers";
    case Kind::NumberOrAuto: return "a number or \"auto\"";
    }
    return "";
}

bool atLeast(const json& v, double minimum) { return v.get<double>() >= minimum; }

std::string number(double v)
{
    std::string s = json(v).dump();
    return s;
}

// Empty when the number `v` lies within s's bounds.
std::string boundsProblem(const AdapterSetting& s, const json& v)
{
    if (!atLeast(v, s.minimum))
        return "must be at least " + number(s.minimum);
    if (v.get<double>() > s.maximum)
        return "must be at most " + number(s.maximum);
    return "";
}

// Empty when `v` fits `s`, else what is wrong.
std::string problemWith(const AdapterSetting& s, const json& v)
{
    switch (s.kind) {
    case Kind::Integer:
        if (!v.is_number_integer())
            return "must be " + std::string(kindText(s.kind));
        return atLeast(v, s.minimum) ? "" : "must be at least " + std::to_string(static_cast<int64_t>(s.minimum));
    case Kind::Number:
        if (!v.is_number())
            return "must be " + std::string(kindText(s.kind));
        return boundsProblem(s, v);
    case Kind::Flag:
        return v.is_boolean() ? "" : "must be true or false";
    case Kind::Text:
        if (!v.is_string())
            return "must be a string";
        if (!s.choices.empty() && std::find(s.choices.begin(), s.choices.end(), v.get<std::string>()) == s.choices.end())
            return "must be one of: " + join(s.choices);
        return "";
    case Kind::NumberList:
        if (!v.is_array() || v.empty())
            return "must be a non-empty list of numbers";
        for (const json& x : v)
            if (!x.is_number() || !boundsProblem(s, x).empty())
                return "must hold numbers from " + number(s.minimum) +
                       (s.maximum < 1e300 ? " to " + number(s.maximum) : std::string(" up"));
        return "";
    case Kind::NumberOrAuto:
        if (v.is_string())
            return v.get<std::string>() == "auto" ? "" : "must be a number or \"auto\"";
        if (!v.is_number())
            return "must be a number or \"auto\"";
        return boundsProblem(s, v);
    }
    return "";
}

}  // namespace

const std::vector<std::string>& adapterMethods()
{
    static const std::vector<std::string> methods = {"lstsq", "procrustes", "slerp", "xbt-stage1", "xbt", "fct"};
    return methods;
}

const std::vector<AdapterSetting>& adapterSettings(const std::string& method)
{
    const auto it = table().find(method);
    if (it == table().end())
        throw Error("adapter method '" + method + "' is not known; use one of: " + join(adapterMethods()));
    return it->second;
}

json resolveAdapterSettings(const std::string& method, const json& given)
{
    const std::vector<AdapterSetting>& settings = adapterSettings(method);
    if (!given.is_null() && !given.is_object())
        throw Error("the " + method + " settings must be a JSON object of key: value");
    std::vector<std::string> keys;
    for (const AdapterSetting& s : settings)
        keys.push_back(s.key);
    json resolved = json::object();
    if (given.is_object())
        for (const auto& [key, value] : given.items()) {
            const auto it = std::find_if(settings.begin(), settings.end(),
                                         [&](const AdapterSetting& s) { return s.key == key; });
            if (it == settings.end())
                throw Error("setting '" + key + "' is not a " + method + " setting; " + method + " takes: " + join(keys));
            const std::string problem = problemWith(*it, value);
            if (!problem.empty())
                throw Error("setting '" + key + "' = " + value.dump() + " " + problem + " (" + it->help + ")");
            resolved[key] = value;
        }
    for (const AdapterSetting& s : settings)
        if (!resolved.contains(s.key))
            resolved[s.key] = s.defaultValue;
    return resolved;
}

}  // namespace xbt
