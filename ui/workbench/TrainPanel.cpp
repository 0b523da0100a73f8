#include "ui/workbench/TrainPanel.h"

#include "core/adapt/AdapterTraining.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/train/BaseModelTraining.h"
#include "core/util/InstallPaths.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/MethodSettingsForm.h"
#include "ui/workbench/WorkspaceJobs.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace xbt::ui {

namespace {

QChartView* chartView(const QString& title, QLineSeries* a, QLineSeries* b, QValueAxis*& x, QValueAxis*& y)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->setAnimationOptions(QChart::NoAnimation);
    x = new QValueAxis;
    x->setTitleText(QObject::tr("step"));
    x->setLabelFormat(QStringLiteral("%.0f"));
    y = new QValueAxis;
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries* s : {a, b}) {
        if (!s)
            continue;
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->legend()->setVisible(b != nullptr);
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    return view;
}

}  // namespace

TrainPanel::TrainPanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), method_(new QComboBox), name_(new QLineEdit), form_(new MethodSettingsForm),
      device_(new QComboBox), start_(new QPushButton(tr("Start training"))), compatMethod_(new QComboBox),
      recipe_(nullptr), compatEpochs_(new QSpinBox), modelOut_(nullptr),
      startModel_(new QPushButton(tr("Train compatible model"))), cancel_(new QPushButton(tr("Cancel"))),
      status_(new QLabel), loss_(new QLineSeries), valT2I_(new QLineSeries), valI2T_(new QLineSeries),
      flush_(new QTimer(this))
{
    auto* outer = new QHBoxLayout(this);
    auto* left = new QVBoxLayout;
    auto* setup = new QGroupBox(tr("Adapter"));
    auto* setupForm = new QFormLayout(setup);
    for (const char* m : {"lstsq", "procrustes", "slerp", "xbt-stage1", "xbt", "fct"})
        method_->addItem(QString::fromLatin1(m));
    method_->setToolTip(tr("lstsq / procrustes: closed form, seconds. slerp: procrustes deployed with spherical interpolation with the old query (training-free). xbt-stage1: text only (phi, and the image map, alone or mixed with phi at a share chosen on validation, for image queries when validation prefers it). xbt: stage 1 then stage 2 "
                           "on image-text pairs. fct: a gallery transform old -> new."));
    setupForm->addRow(tr("Method"), method_);
    name_->setToolTip(tr("The adapter's name in the workspace (default: the method). An adapter of that name is replaced."));
    setupForm->addRow(tr("Name"), name_);
    corpus_ = pathField(tr("Text corpus, one sentence per line (stage 1, closed-form fits)"), false, setupForm, tr("Corpus"));
    pairs_ = pathField(tr("A split folder with images and captions.tsv (image-text pairs for stage 2)"), true, setupForm,
                       tr("Pairs"));
    unlabeled_ = pathField(tr("xbt, optional: a folder of images without captions (a sample of the gallery's own). "
                              "Stage 2 captions each with the corpus sentence the new model ranks first and pulls "
                              "those sentences onto the old model's embeddings of the images"),
                           true, setupForm, tr("Unlabelled"));
    validation_ = pathField(tr("Optional split folder for validation recall while training"), true, setupForm,
                            tr("Validation"));
    device_->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")});
    device_->setToolTip(tr("Where to train. Training resumes automatically from a matching checkpoint."));
    setupForm->addRow(tr("Device"), device_);
    left->addWidget(setup);

    auto* settingsBox = new QGroupBox(tr("Settings (hover for help)"));
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    auto* scroll = new QScrollArea;
    scroll->setWidget(form_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    settingsLayout->addWidget(scroll);
    left->addWidget(settingsBox, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(start_);
    buttons->addWidget(cancel_);
    left->addLayout(buttons);

    // Retraining the new model compatible with the old one (no adapter).
    auto* compat = new QGroupBox(tr("Or: retrain the new model compatible with the old one"));
    auto* compatForm = new QFormLayout(compat);
    compatMethod_->addItems({QStringLiteral("bct"), QStringLiteral("bt2"), QStringLiteral("oca")});
    compatMethod_->setToolTip(tr("bct: the old model's size, the whole vector compares with old embeddings. bt2 / "
                                 "oca: extra dimensions (a learned orthonormal basis, or an orthogonal expansion) so "
                                 "that the first old-size dims compare with old embeddings and the whole vector keeps "
                                 "the new model's own accuracy (docs/compatibility.md)"));
    compatForm->addRow(tr("Method"), compatMethod_);
    recipe_ = pathField(tr("A built-in model's recipe (architecture, data, training), e.g. samples/sample-new.json"),
                        false, compatForm, tr("Recipe"));
    compatEpochs_->setRange(0, 1000);
    compatEpochs_->setSpecialValueText(tr("recipe's"));
    compatEpochs_->setToolTip(tr("Training epochs (recipe's: as the recipe says)"));
    compatForm->addRow(tr("Epochs"), compatEpochs_);
    modelOut_ = pathField(tr("The model folder to write (empty: WS/models/<name>); an unfinished run there resumes"),
                          true, compatForm, tr("Output"));
    modelOut_->setPlaceholderText(tr("WS/models/<name>"));
    startModel_->setToolTip(tr("Train the recipe's model against the workspace's old model (Models tab), as `xbt "
                               "train-base --compatible-with OLD --compatibility METHOD` does; Cancel keeps a "
                               "checkpoint that the next run resumes from"));
    compatForm->addRow(QString(), startModel_);
    left->addWidget(compat);
    cancel_->setEnabled(false);
    auto* leftWidget = new QWidget;
    leftWidget->setLayout(left);
    leftWidget->setMinimumWidth(340);
    leftWidget->setMaximumWidth(520);

    auto* right = new QVBoxLayout;
    status_->setWordWrap(true);
    status_->setText(tr("Choose a method and start. Closed-form methods take seconds; XBT takes minutes."));
    right->addWidget(status_);
    loss_->setName(tr("loss"));
    valT2I_->setName(tr("T2I R@1 (%)"));
    valI2T_->setName(tr("I2T R@1 (%)"));
    QValueAxis* valY = nullptr;
    lossView_ = chartView(tr("Training loss"), loss_, nullptr, lossX_, lossY_);
    valView_ = chartView(tr("Validation recall of new+adapter->old"), valT2I_, valI2T_, valX_, valY);
    valY->setRange(0, 100);
    auto* charts = new QSplitter(Qt::Vertical);
    charts->addWidget(lossView_);
    charts->addWidget(valView_);
    right->addWidget(charts, 1);
    outer->addWidget(leftWidget);
    outer->addLayout(right, 1);

    connect(method_, &QComboBox::currentTextChanged, this, &TrainPanel::setMethod);
    connect(start_, &QPushButton::clicked, this, &TrainPanel::start);
    connect(startModel_, &QPushButton::clicked, this, &TrainPanel::startCompatibleTraining);
    connect(cancel_, &QPushButton::clicked, this, &TrainPanel::cancel);
    // Charts redraw a few times a second, not once per training step.
    flush_->setInterval(200);
    connect(flush_, &QTimer::timeout, this, &TrainPanel::flushCharts);
    setMethod(method_->currentText());
}

QLineEdit* TrainPanel::pathField(const QString& tooltip, bool folder, QFormLayout* form, const QString& label)
{
    auto* edit = new QLineEdit;
    edit->setToolTip(tooltip);
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("..."));
    // One widget holds both, so that disabling it (a field the chosen
    // method does not read, setMethod) disables the button with the field.
    auto* holder = new QWidget;
    auto* row = new QHBoxLayout(holder);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(label, holder);
    connect(browse, &QToolButton::clicked, this, [this, edit, folder, label] {
        const QString start = edit->text().isEmpty() && session_ ? QString::fromStdString(session_->dir()) : edit->text();
        const QString chosen = folder ? QFileDialog::getExistingDirectory(this, label, start)
                                      : QFileDialog::getOpenFileName(this, label, start);
        if (!chosen.isEmpty())
            edit->setText(chosen);
    });
    return edit;
}

void TrainPanel::setMethod(const QString& method)
{
    if (method_->currentText() != method)
        method_->setCurrentText(method);
    form_->setSettings(adapterMethodSettings().value(method.toStdString(), nlohmann::json::object()));
    unlabeled_->parentWidget()->setEnabled(method == QLatin1String("xbt"));  // only xbt's stage 2 reads them
    unlabeled_->setPlaceholderText(unlabeled_->isEnabled() ? tr("optional") : tr("xbt only"));
    name_->setPlaceholderText(method);
}

void TrainPanel::setData(const QString& corpus, const QString& pairs, const QString& validation)
{
    corpus_->setText(corpus);
    pairs_->setText(pairs);
    validation_->setText(validation);
}

void TrainPanel::setAdapterName(const QString& name) { name_->setText(name); }

void TrainPanel::setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary)
{
    session_ = std::move(session);
    // The sample workspace's layout gives good defaults (found by the
    // summary, off the GUI thread); a user's own workspace starts empty.
    const auto fill = [](QLineEdit* field, const std::string& path) {
        if (field->text().isEmpty() && !path.empty())
            field->setText(QString::fromStdString(path));
    };
    fill(corpus_, summary.defaultCorpus);
    fill(pairs_, summary.defaultPairs);
    fill(validation_, summary.defaultValidation);
    fill(unlabeled_, summary.defaultUnlabeled);
    start_->setEnabled(summary.hasProfile() && !job_);
    oldModelSpec_ = QString::fromStdString(summary.profile.oldModel);
    if (recipe_->text().isEmpty()) {
        try {
            const std::string recipe = samplesDirectory() + "/sample-new.json";
            if (QFileInfo::exists(QString::fromStdString(recipe)))
                recipe_->setText(QString::fromStdString(recipe));
        } catch (const std::exception&) {
            // No bundled samples: the user names a recipe.
        }
    }
    startModel_->setEnabled(!oldModelSpec_.isEmpty() && !job_);
}

void TrainPanel::setCompatibleInputs(const QString& method, const QString& recipe, int epochs, const QString& outDir)
{
    compatMethod_->setCurrentText(method);
    recipe_->setText(recipe);
    compatEpochs_->setValue(epochs);
    modelOut_->setText(outDir);
}

QString TrainPanel::statusText() const { return status_->text(); }

void TrainPanel::resetCharts(const QString& validationTitle)
{
    loss_->clear();
    valT2I_->clear();
    valI2T_->clear();
    pendingLoss_.clear();
    pendingT2I_.clear();
    pendingI2T_.clear();
    stepOffset_ = 0;
    lastStage_.clear();
    lossY_->setRange(0, 1);
    valView_->chart()->setTitle(validationTitle);
}

void TrainPanel::startCompatibleTraining()
{
    if (!session_ || job_)
        return;
    if (oldModelSpec_.isEmpty()) {
        status_->setText(tr("Choose the old model in the Models tab first: the compatible model is trained against it."));
        return;
    }
    BaseTrainingRequest request;
    request.recipeFile = recipe_->text().trimmed().toStdString();
    if (request.recipeFile.empty()) {
        status_->setText(tr("Name the recipe of the model to train (e.g. samples/sample-new.json)."));
        return;
    }
    request.compatibility = compatMethod_->currentText().toStdString();
    request.compatibleWith = oldModelSpec_.toStdString();
    if (compatEpochs_->value() > 0)
        request.epochs = compatEpochs_->value();
    request.outDir = modelOut_->text().trimmed().toStdString();
    request.device = device_->currentText().toStdString();
    resetCharts(tr("Validation recall of new->old (the new model's queries, the old model's embeddings)"));
    start_->setEnabled(false);
    startModel_->setEnabled(false);
    cancel_->setEnabled(true);
    status_->setText(tr("Training %1 compatible with %2 ...").arg(compatMethod_->currentText(), oldModelSpec_));
    flush_->start();
    auto* job = new TrainBaseModelJob(QString::fromStdString(session_->dir()), request);
    connect(job, &TrainBaseModelJob::progressed, this, &TrainPanel::onModelProgress);
    connect(job, &Job::succeeded, this, [this, job] {
        trainingStopped();
        const BaseTrainingResult& r = job->result();
        const QString folder = QString::fromStdString(job->outDir());
        status_->setText(tr("Saved compatible model %1 (%2 against %3) in %4 s%5: validation R@1 of its own "
                            "gallery T2I %6%, I2T %7%; new->old T2I %8%, I2T %9%. Choose it as the new model in the "
                            "Models tab (folder %10).")
                             .arg(QString::fromStdString(job->recipe().name),
                                  QString::fromStdString(job->recipe().compatibility.method), oldModelSpec_)
                             .arg(r.seconds, 0, 'f', 0)
                             .arg(r.resumedFromStep ? tr(", resumed from step %1").arg(r.resumedFromStep) : QString())
                             .arg(100 * r.validationT2I, 0, 'f', 1)
                             .arg(100 * r.validationI2T, 0, 'f', 1)
                             .arg(100 * r.validationOldT2I, 0, 'f', 1)
                             .arg(100 * r.validationOldI2T, 0, 'f', 1)
                             .arg(folder));
        Q_EMIT modelTrained(folder);
    });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        trainingStopped();
        status_->setText(cancelled ? tr("Cancelled. Train again with the same settings to resume from the checkpoint.")
                                   : tr("Training failed: %1").arg(error));
        if (!cancelled)
            Q_EMIT trainingFailed(error);
    });
    job_ = runner_->start(job);
}

void TrainPanel::onModelProgress(const TrainProgress& p)
{
    const double x = static_cast<double>(p.step);
    if (p.loss != 0.0 && std::isfinite(p.loss))
        pendingLoss_.append({x, p.loss});
    if (p.validationOldT2I >= 0) {
        pendingT2I_.append({x, 100.0 * p.validationOldT2I});
        pendingI2T_.append({x, 100.0 * p.validationOldI2T});
    }
    QString text = tr("step %1 / %2, epoch %3   loss %4   lr %5   %6 samples/s on %7")
                       .arg(p.step)
                       .arg(p.totalSteps)
                       .arg(p.epoch)
                       .arg(p.loss, 0, 'f', 4)
                       .arg(p.learningRate, 0, 'g', 3)
                       .arg(p.samplesPerSecond, 0, 'f', 0)
                       .arg(QString::fromStdString(p.device));
    if (p.validationT2I >= 0)
        text += tr("   validation R@1: own T2I %1% I2T %2%").arg(100 * p.validationT2I, 0, 'f', 1).arg(100 * p.validationI2T, 0, 'f', 1);
    if (p.validationOldT2I >= 0)
        text += tr(", new->old T2I %1% I2T %2%").arg(100 * p.validationOldT2I, 0, 'f', 1).arg(100 * p.validationOldI2T, 0, 'f', 1);
    status_->setText(text);
}

int TrainPanel::lossPoints() const { return static_cast<int>(loss_->count()); }

int TrainPanel::validationPoints() const { return static_cast<int>(valT2I_->count()); }

void TrainPanel::start()
{
    if (!session_ || job_)
        return;
    AdapterTrainRequest request;
    const UpgradeProfile profile = session_->profile();
    request.method = method_->currentText().toStdString();
    request.name = name_->text().trimmed().isEmpty() ? request.method : name_->text().trimmed().toStdString();
    request.oldModel = profile.oldModel;
    request.newModel = profile.newModel;
    request.modelOptions = session_->modelOptions();
    request.corpusFile = corpus_->text().toStdString();
    request.pairsDir = pairs_->text().toStdString();
    request.validationDir = validation_->text().toStdString();
    if (unlabeled_->isEnabled())
        request.unlabeledDir = unlabeled_->text().toStdString();
    // Only an fct transform moves a gallery: the old model's one.
    if (request.method == "fct")
        request.gallery = profile.oldGallery;
    request.device = device_->currentText().toStdString();
    try {
        request.config = form_->config();
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
        return;
    }
    // A gallery transform moves the old gallery: new queries search it.
    resetCharts(request.method == "fct" ? tr("Validation recall of new->adapter(old) (the old gallery moved)")
                                        : tr("Validation recall of new+adapter->old"));
    start_->setEnabled(false);
    startModel_->setEnabled(false);
    cancel_->setEnabled(true);
    status_->setText(tr("Training %1 (%2) ...").arg(QString::fromStdString(request.name), method_->currentText()));
    flush_->start();
    auto* job = new TrainJob(session_, request);
    connect(job, &TrainJob::progressed, this, &TrainPanel::onProgress);
    connect(job, &Job::succeeded, this, [this, job] { trainingDone(job->result()); });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        trainingStopped();
        status_->setText(cancelled ? tr("Cancelled. Start again with the same settings to resume from the checkpoint.")
                                   : tr("Training failed: %1").arg(error));
        if (!cancelled)
            Q_EMIT trainingFailed(error);
    });
    job_ = runner_->start(job);
}

void TrainPanel::trainingStopped()
{
    job_ = 0;
    flushCharts();
    flush_->stop();
    start_->setEnabled(true);
    startModel_->setEnabled(!oldModelSpec_.isEmpty());
    cancel_->setEnabled(false);
}

void TrainPanel::trainingDone(const AdapterTrainResult& r)
{
    trainingStopped();
    const AdapterValidationHeadline h = validationHeadline(r.info);
    const QString validation =
        h.available ? tr(" Validation: R@1 T2I %1%, I2T %2%; %3. Queries: interpolated with the old model's, %4.")
                          .arg(100 * h.t2iR1, 0, 'f', 1)
                          .arg(100 * h.i2tR1, 0, 'f', 1)
                          .arg(QString::fromStdString(criterionSentence(h)),
                               QString::fromStdString(r.info.interpolation.describe()))
                    : QString();
    status_->setText(tr("Saved adapter '%1' (%2) in %3 s%4.%5")
                         .arg(QString::fromStdString(r.info.name), QString::fromStdString(r.info.method))
                         .arg(r.seconds, 0, 'f', 1)
                         .arg(r.resumedFromStep ? tr(", resumed from step %1").arg(r.resumedFromStep) : QString())
                         .arg(validation));
    Q_EMIT adapterTrained(QString::fromStdString(r.info.name));
}

void TrainPanel::cancel()
{
    if (job_)
        runner_->cancel(job_);
    cancel_->setEnabled(false);
}

void TrainPanel::onProgress(const AdapterTrainProgress& p)
{
    // Stages restart their step count: the charts run on one x axis.
    if (p.stage != lastStage_) {
        if (!lastStage_.empty())
            stepOffset_ = std::max(stepOffset_, pendingLoss_.isEmpty() ? (loss_->count() ? loss_->at(loss_->count() - 1).x() : 0.0)
                                                                       : pendingLoss_.last().x());
        lastStage_ = p.stage;
    }
    const double x = stepOffset_ + static_cast<double>(p.step);
    if (p.loss != 0.0 && std::isfinite(p.loss))
        pendingLoss_.append({x, p.loss});
    if (p.validationT2I >= 0)
        pendingT2I_.append({x, 100.0 * p.validationT2I});
    if (p.validationI2T >= 0)
        pendingI2T_.append({x, 100.0 * p.validationI2T});
    // Embedding stages report no loss: show only what the stage measures.
    QString text = QStringLiteral("%1: step %2 / %3").arg(QString::fromStdString(p.stage)).arg(p.step).arg(p.totalSteps);
    if (p.loss != 0.0)
        text += tr("   loss %1   lr %2").arg(p.loss, 0, 'f', 4).arg(p.learningRate, 0, 'g', 3);
    if (p.validationT2I >= 0)
        text += tr("   validation R@1 T2I %1%  I2T %2%").arg(100 * p.validationT2I, 0, 'f', 1).arg(100 * p.validationI2T, 0, 'f', 1);
    text += tr("   %1 samples/s on %2  %3").arg(p.samplesPerSecond, 0, 'f', 0).arg(QString::fromStdString(p.device), QString::fromStdString(p.message));
    status_->setText(text);
}

void TrainPanel::flushCharts()
{
    if (!pendingLoss_.isEmpty())
        loss_->append(pendingLoss_);
    if (!pendingT2I_.isEmpty())
        valT2I_->append(pendingT2I_);
    if (!pendingI2T_.isEmpty())
        valI2T_->append(pendingI2T_);
    if (pendingLoss_.isEmpty() && pendingT2I_.isEmpty() && pendingI2T_.isEmpty())
        return;
    pendingLoss_.clear();
    pendingT2I_.clear();
    pendingI2T_.clear();
    double maxX = 1, maxLoss = 0;
    for (const QPointF& p : loss_->points()) {
        maxX = std::max(maxX, p.x());
        maxLoss = std::max(maxLoss, p.y());
    }
    for (const QPointF& p : valT2I_->points())
        maxX = std::max(maxX, p.x());
    lossX_->setRange(0, maxX);
    valX_->setRange(0, maxX);
    lossY_->setRange(0, maxLoss > 0 ? maxLoss * 1.05 : 1);
}

}  // namespace xbt::ui
