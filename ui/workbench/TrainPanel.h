#pragma once
// Launches trainAdapter() in the JobRunner: method, its settings, data and
// device; live loss and validation-recall charts fed from the progress
// callback; the saved adapter is announced so Explore and Models list it.
// Its second box retrains the NEW model compatible with the old one (BCT,
// BT^2 or OCA from a built-in recipe, as `xbt train-base --compatible-with`),
// with the same charts (validation: the new model's queries against the old
// model's embeddings) and the same cancel / resume.

#include <QWidget>

#include <QPointF>
#include <QVector>

#include <memory>
#include <string>

class QChartView;
class QComboBox;
class QSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QTimer;
class QValueAxis;

namespace xbt {
struct AdapterTrainProgress;
struct AdapterTrainResult;
struct TrainProgress;
class UpgradeSession;
struct WorkspaceSummary;
}  // namespace xbt

namespace xbt::ui {

class JobRunner;
class MethodSettingsForm;

class TrainPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainPanel(JobRunner* runner, QWidget* parent = nullptr);

    void setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary);
    void start();
    void cancel();
    void setMethod(const QString& method);
    MethodSettingsForm* settingsForm() const { return form_; }
    void setData(const QString& corpus, const QString& pairs, const QString& validation);
    void setAdapterName(const QString& name);
    // The compatible-model box: method (bct | bt2 | oca), recipe file,
    // epochs (0: the recipe's), output folder (empty: WS/models/<name>).
    void setCompatibleInputs(const QString& method, const QString& recipe, int epochs = 0, const QString& outDir = {});
    void startCompatibleTraining();
    QString statusText() const;
    int lossPoints() const;
    // Points on the validation chart (text-to-image R@1), shown so far.
    int validationPoints() const;
    bool running() const { return job_ != 0; }

Q_SIGNALS:
    void adapterTrained(const QString& name);
    // A compatible model was saved in this folder (usable as --model).
    void modelTrained(const QString& folder);
    void trainingFailed(const QString& error);

private:
    void onProgress(const AdapterTrainProgress& p);
    void onModelProgress(const TrainProgress& p);
    void resetCharts(const QString& validationTitle);
    void trainingDone(const AdapterTrainResult& result);
    void trainingStopped();  // done, failed or cancelled: the panel is ready again
    void flushCharts();
    QLineEdit* pathField(const QString& tooltip, bool folder, QFormLayout* form, const QString& label);

    JobRunner* runner_;
    std::shared_ptr<UpgradeSession> session_;
    int job_ = 0;
    double stepOffset_ = 0;
    std::string lastStage_;
    QVector<QPointF> pendingLoss_, pendingT2I_, pendingI2T_;

    QComboBox* method_;
    QLineEdit* name_;
    MethodSettingsForm* form_;
    QLineEdit* corpus_;
    QLineEdit* pairs_;
    QLineEdit* unlabeled_;
    QLineEdit* validation_;
    QComboBox* device_;
    QPushButton* start_;
    QComboBox* compatMethod_;
    QLineEdit* recipe_;
    QSpinBox* compatEpochs_;
    QLineEdit* modelOut_;
    QPushButton* startModel_;
    QPushButton* cancel_;
    QLabel* status_;
    QLineSeries* loss_;
    QLineSeries* valT2I_;
    QLineSeries* valI2T_;
    QValueAxis* lossX_;
    QValueAxis* lossY_;
    QValueAxis* valX_;
    QChartView* lossView_;
    QChartView* valView_;
    QString oldModelSpec_;
    QTimer* flush_;
};

}  // namespace xbt::ui
