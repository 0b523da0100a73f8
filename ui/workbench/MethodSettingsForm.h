#pragma once
// The Train panel's settings form, built from adapterMethodSettings(): one
// field per setting with its default and help text as tooltip. Only values
// changed from the default are sent, so the engine's defaults stay the
// single source of truth.

#include <QWidget>

#include <nlohmann/json.hpp>

#include <map>
#include <string>

class QFormLayout;

namespace xbt::ui {

class MethodSettingsForm : public QWidget {
    Q_OBJECT
public:
    explicit MethodSettingsForm(QWidget* parent = nullptr);
    // `settings`: {"key": {"default": v, "help": "...", "choices": [...]}, ...}
    void setSettings(const nlohmann::json& settings);
    // The changed settings; throws xbt::Error naming a field that does not parse.
    nlohmann::json config() const;
    void setValue(const std::string& key, const nlohmann::json& value);

private:
    QFormLayout* form_;
    nlohmann::json settings_;
    std::map<std::string, QWidget*> fields_;
};

}  // namespace xbt::ui
