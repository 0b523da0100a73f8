#include "ui/workbench/MethodSettingsForm.h"

#include "core/util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

namespace xbt::ui {

namespace {

QString jsonText(const nlohmann::json& v)
{
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    return QString::fromStdString(v.dump());
}

}  // namespace

MethodSettingsForm::MethodSettingsForm(QWidget* parent) : QWidget(parent), form_(new QFormLayout(this))
{
    form_->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
}

void MethodSettingsForm::setSettings(const nlohmann::json& settings)
{
    while (form_->rowCount() > 0)
        form_->removeRow(0);
    fields_.clear();
    settings_ = settings;
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        const nlohmann::json& def = it.value().value("default", nlohmann::json());
        const QString help = QString::fromStdString(it.value().value("help", std::string()));
        QWidget* field = nullptr;
        if (it.value().contains("choices")) {
            auto* combo = new QComboBox;
            for (const nlohmann::json& c : it.value()["choices"])
                combo->addItem(jsonText(c));
            combo->setCurrentText(jsonText(def));
            field = combo;
        } else if (def.is_boolean()) {
            auto* check = new QCheckBox;
            check->setChecked(def.get<bool>());
            field = check;
        } else if (def.is_number_integer()) {
            auto* spin = new QSpinBox;
            spin->setRange(-1, 100000000);
            spin->setValue(def.get<int>());
            field = spin;
        } else {
            // Floats and "auto"-or-number settings: typed as JSON values.
            auto* edit = new QLineEdit(jsonText(def));
            edit->setPlaceholderText(jsonText(def));
            field = edit;
        }
        field->setToolTip(help + QStringLiteral("\n(default: %1)").arg(jsonText(def)));
        auto* label = new QLabel(QString::fromStdString(it.key()));
        label->setToolTip(field->toolTip());
        form_->addRow(label, field);
        fields_[it.key()] = field;
    }
}

void MethodSettingsForm::setValue(const std::string& key, const nlohmann::json& value)
{
    auto it = fields_.find(key);
    if (it == fields_.end())
        return;
    if (auto* c = qobject_cast<QComboBox*>(it->second))
        c->setCurrentText(jsonText(value));
    else if (auto* b = qobject_cast<QCheckBox*>(it->second))
        b->setChecked(value.get<bool>());
    else if (auto* s = qobject_cast<QSpinBox*>(it->second))
        s->setValue(value.get<int>());
    else if (auto* e = qobject_cast<QLineEdit*>(it->second))
        e->setText(jsonText(value));
}

nlohmann::json MethodSettingsForm::config() const
{
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, field] : fields_) {
        const nlohmann::json& def = settings_[key].value("default", nlohmann::json());
        nlohmann::json value;
        if (auto* c = qobject_cast<QComboBox*>(field)) {
            value = c->currentText().toStdString();
            if (!def.is_string())
                value = nlohmann::json::parse(c->currentText().toStdString(), nullptr, false);
        } else if (auto* b = qobject_cast<QCheckBox*>(field)) {
            value = b->isChecked();
        } else if (auto* s = qobject_cast<QSpinBox*>(field)) {
            value = s->value();
        } else if (auto* e = qobject_cast<QLineEdit*>(field)) {
            const std::string text = e->text().trimmed().toStdString();
            value = nlohmann::json::parse(text, nullptr, false);
            if (value.is_discarded())
                value = text;  // a bare word such as auto
        }
        if (value.is_discarded())
            throw Error("setting '" + key + "': cannot read the value");
        if (value != def)
            out[key] = value;
    }
    return out;
}

}  // namespace xbt::ui
