#include "ui/workbench/ExplorePanel.h"

#include "core/data/ImageFiles.h"
#include "core/eval/EvaluationResults.h"

#include "ui/workbench/ExploreSearcher.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceJobs.h"
#include "ui/workbench/ResultColumnView.h"
#include "ui/workbench/ResultListModel.h"
#include "ui/workbench/ThumbnailLoader.h"
#include "core/pipeline/UpgradeSession.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QUrl>
#include <QVBoxLayout>

namespace xbt::ui {

namespace {
constexpr int kColumns = 4;  // today, raw, adapted, backfill
}  // namespace

ExplorePanel::ExplorePanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), searcher_(new ExploreSearcher(runner, this)), thumbnails_(new ThumbnailLoader(this)),
      query_(new QLineEdit), search_(new QPushButton(tr("Search"))), image_(new QPushButton(tr("Image query..."))), adapters_(new QComboBox),
      examples_(new QComboBox), flips_(new QComboBox), rerank_(new QSpinBox), k_(new QSpinBox), queryImage_(new QLabel), status_(new QLabel),
      columnsSplitter_(new QSplitter(Qt::Horizontal))
{
    setAcceptDrops(true);
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    query_->setPlaceholderText(tr("Describe an image, e.g. \"a red circle left of a blue square\"  (Ctrl+L)"));
    query_->setClearButtonEnabled(true);
    QFont big = query_->font();
    big.setPointSizeF(big.pointSizeF() * 1.2);
    query_->setFont(big);
    search_->setDefault(true);
    image_->setToolTip(tr("Search with an image file. You can also drop an image here, paste one (Ctrl+V), or "
                          "right-click a result and query with it."));
    adapters_->setToolTip(tr("The query adapter that maps the new model's queries into the old gallery's space"));
    adapters_->setMinimumContentsLength(10);
    adapters_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    examples_->setToolTip(tr("The workspace's demo queries"));
    examples_->setMinimumContentsLength(14);
    examples_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    flips_->setToolTip(tr("Negative flips of the latest evaluation: queries today's system answers right at R@1 that "
                          "an adapter answers wrong. Pick one to run it."));
    flips_->setMinimumContentsLength(14);
    flips_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    flips_->setEnabled(false);
    rerank_->setRange(0, 200);
    rerank_->setSingleStep(10);
    rerank_->setValue(0);
    rerank_->setPrefix(tr("re-rank @"));
    rerank_->setSpecialValueText(tr("re-rank: off"));
    rerank_->setToolTip(tr("Re-score the adapter column's top K with the new model, re-embedding those images from "
                           "their files (what it re-embedded and how long it took shows under the column title)"));
    k_->setRange(1, 200);
    k_->setValue(24);
    k_->setPrefix(tr("top "));
    k_->setToolTip(tr("How many results each column shows"));
    bar->addWidget(query_, 1);
    bar->addWidget(search_);
    bar->addWidget(image_);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Adapter:")));
    bar->addWidget(adapters_);
    bar->addWidget(new QLabel(tr("Examples:")));
    bar->addWidget(examples_);
    bar->addWidget(new QLabel(tr("Flips:")));
    bar->addWidget(flips_);
    bar->addWidget(rerank_);
    bar->addWidget(k_);
    layout->addLayout(bar);

    auto* info = new QHBoxLayout;
    queryImage_->setFixedSize(72, 72);
    queryImage_->setScaledContents(false);
    queryImage_->setVisible(false);
    info->addWidget(queryImage_);
    status_->setWordWrap(true);
    info->addWidget(status_, 1);
    layout->addLayout(info);

    for (int i = 0; i < kColumns; ++i) {
        auto* column = new ResultColumnView(thumbnails_);
        columns_.push_back(column);
        columnsSplitter_->addWidget(column);
        column->setVisible(false);
        connect(column, &ResultColumnView::hovered, this, &ExplorePanel::highlight);
        connect(column, &ResultColumnView::queryWithImage, this, &ExplorePanel::runImageQuery);
        connect(column, &ResultColumnView::openImage, this,
                [](const QString& p) { QDesktopServices::openUrl(QUrl::fromLocalFile(p)); });
        connect(column, &ResultColumnView::revealImage, this,
                [](const QString& p) { QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(p).absolutePath())); });
    }
    columnsSplitter_->setChildrenCollapsible(false);
    layout->addWidget(columnsSplitter_, 1);
    status_->setText(tr("Type a query and press Enter, or drop an image here."));

    connect(query_, &QLineEdit::returnPressed, this, [this] { runTextQuery(query_->text()); });
    connect(search_, &QPushButton::clicked, this, [this] { runTextQuery(query_->text()); });
    connect(image_, &QPushButton::clicked, this, &ExplorePanel::chooseImage);
    connect(adapters_, &QComboBox::currentTextChanged, this, [this] {
        if (outcome_)
            rerun();
    });
    connect(examples_, &QComboBox::textActivated, this, [this](const QString& text) {
        query_->setText(text);
        runTextQuery(text);
    });
    connect(rerank_, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        if (outcome_)
            rerun();
    });
    connect(flips_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        const QVariant kind = flips_->itemData(index, Qt::UserRole);
        const QString value = flips_->itemData(index, Qt::UserRole + 1).toString();
        if (!kind.isValid() || value.isEmpty())
            return;
        if (kind.toString() == QLatin1String("text"))
            runTextQuery(value);
        else
            runImageQuery(value);
    });
    connect(searcher_, &ExploreSearcher::finished, this, &ExplorePanel::showOutcome);
    connect(searcher_, &ExploreSearcher::failed, this, [this](const QString& error) {
        status_->setText(tr("The query failed: %1").arg(error));
        Q_EMIT queryFailed(error);
    });
    searcher_->setPreviewSize(queryImage_->size());
    auto* paste = new QShortcut(QKeySequence::Paste, this);
    paste->setContext(Qt::WidgetWithChildrenShortcut);
    connect(paste, &QShortcut::activated, this, &ExplorePanel::pasteImage);
}

void ExplorePanel::setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary)
{
    searcher_->setSession(std::move(session));
    workspaceDir_ = QString::fromStdString(summary.dir);
    thumbnails_->setWorkspaceDir(QString::fromStdString(summary.dir));
    const QString previous = adapters_->currentText();
    {
        const QSignalBlocker block(adapters_);
        adapters_->clear();
        for (const std::string& a : summary.queryAdapters)
            adapters_->addItem(QString::fromStdString(a));
        const QString preferred = previous.isEmpty() ? QString::fromStdString(summary.profile.defaultAdapter) : previous;
        if (adapters_->findText(preferred) >= 0)
            adapters_->setCurrentText(preferred);
    }
    QStringList demo;
    for (const std::string& q : summary.demoQueries)
        demo << QString::fromStdString(q);
    setDemoQueries(demo);
}

void ExplorePanel::setDemoQueries(const QStringList& queries)
{
    examples_->clear();
    examples_->addItems(queries);
    examples_->setEnabled(examples_->count() > 0);
    examples_->setCurrentIndex(-1);
}

void ExplorePanel::setFlippedQueries(const std::shared_ptr<const EvaluationOutcome>& results)
{
    flips_->clear();
    if (!results)
        return;
    int count = 0;
    for (const ConfigurationResult& c : results->configurations) {
        if (c.role != ConfigurationRole::Adapter && c.role != ConfigurationRole::GalleryTransform &&
            c.role != ConfigurationRole::Compatible)
            continue;
        for (RetrievalDirection d : kRetrievalDirections) {
            const std::optional<DirectionFlips>& f = c.negativeFlips.in(d);
            if (!f)
                continue;
            const bool text = d == RetrievalDirection::TextToImage;
            for (const std::string& q : f->flippedAt1) {
                const QString value = QString::fromStdString(q);
                flips_->addItem(QStringLiteral("%1 · %2 · %3")
                                    .arg(QString::fromStdString(c.name), text ? tr("text") : tr("image"),
                                         text ? value : QFileInfo(value).fileName()));
                flips_->setItemData(flips_->count() - 1, text ? QStringLiteral("text") : QStringLiteral("image"),
                                    Qt::UserRole);
                flips_->setItemData(flips_->count() - 1, value, Qt::UserRole + 1);
                ++count;
            }
        }
    }
    flips_->setEnabled(count > 0);
    flips_->setPlaceholderText(count > 0 ? tr("%1 flipped queries").arg(count) : tr("no flips"));
    flips_->setCurrentIndex(-1);
}

int ExplorePanel::flippedQueryCount() const { return flips_->count(); }

void ExplorePanel::setRerankDepth(int k) { rerank_->setValue(k); }

void ExplorePanel::selectAdapter(const QString& name)
{
    if (adapters_->findText(name) >= 0)
        adapters_->setCurrentText(name);
}

QString ExplorePanel::adapter() const { return adapters_->currentText(); }

void ExplorePanel::focusQuery()
{
    query_->setFocus();
    query_->selectAll();
}

int ExplorePanel::columnCount() const { return outcome_ ? static_cast<int>(outcome_->columns.size()) : 0; }

ResultColumnView* ExplorePanel::column(int i) const { return columns_.at(static_cast<size_t>(i)); }

void ExplorePanel::runTextQuery(const QString& text)
{
    if (text.trimmed().isEmpty())
        return;
    if (query_->text() != text)
        query_->setText(text);
    ComparisonQuery q;
    q.text = text.trimmed().toStdString();
    run(q);
}

void ExplorePanel::runImageQuery(const QString& path)
{
    ComparisonQuery q;
    q.imagePath = QFileInfo(path).absoluteFilePath().toStdString();
    run(q);
}

void ExplorePanel::rerun()
{
    if (outcome_) {
        ComparisonQuery q = outcome_->query;
        run(q);
    }
}

void ExplorePanel::run(ComparisonQuery query)
{
    if (!searcher_->hasSession()) {
        status_->setText(tr("Open a workspace first (Ctrl+O)."));
        return;
    }
    query.adapter = adapters_->currentText().toStdString();
    query.k = k_->value();
    query.rerankK = rerank_->value();
    if (query.isImage()) {
        status_->setText(tr("Searching captions with the image %1 ...").arg(QString::fromStdString(query.imagePath)));
    } else {
        queryImage_->setVisible(false);
        status_->setText(tr("Searching images for \"%1\" ...").arg(QString::fromStdString(query.text)));
    }
    searcher_->search(query);
}

void ExplorePanel::showOutcome(const ExploreOutcome& outcome)
{
    outcome_ = outcome;
    const bool showPreview = outcome.query.isImage() && !outcome.queryPreview.isNull();
    if (showPreview)
        queryImage_->setPixmap(QPixmap::fromImage(outcome.queryPreview));
    queryImage_->setVisible(showPreview);
    const int tile = std::max(96, fontMetrics().height() * 6);
    for (size_t i = 0; i < columns_.size(); ++i) {
        const bool used = i < outcome.columns.size();
        columns_[i]->setVisible(used);
        if (used) {
            columns_[i]->setTileSide(tile);
            columns_[i]->setColumn(outcome.columns[i]);
        }
    }
    QString text = outcome.query.isImage()
                       ? tr("Image query: %1").arg(QFileInfo(QString::fromStdString(outcome.query.imagePath)).fileName())
                       : tr("Text query: \"%1\"").arg(QString::fromStdString(outcome.query.text));
    text += tr("  -  %1 configurations in %2 s").arg(outcome.columns.size()).arg(outcome.seconds, 0, 'f', 2);
    if (!outcome.groundTruthImage.empty() || !outcome.groundTruthCaptions.empty())
        text += tr("  -  \u2713 marks the ground truth from the evaluation split");
    text += tr("  -  hover a result to find it in the other columns");
    status_->setText(text);
    // Equal widths: no column should look more important by its size.
    QList<int> sizes;
    for (size_t i = 0; i < columns_.size(); ++i)
        sizes << (i < outcome.columns.size() ? 1000 : 0);
    columnsSplitter_->setSizes(sizes);
    Q_EMIT queryFinished();
}

void ExplorePanel::highlight(const QString& path)
{
    for (ResultColumnView* c : columns_)
        c->model()->setHighlightedPath(path);
}

void ExplorePanel::chooseImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Query with an image"), workspaceDir_,
                                                      tr("Images (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)"));
    if (!path.isEmpty())
        runImageQuery(path);
}

void ExplorePanel::pasteImage()
{
    const QMimeData* mime = QApplication::clipboard()->mimeData();
    if (mime && mime->hasImage()) {
        // The engine reads queries from files: the pasted image is written
        // into the workspace's cache (never a fixed name in a shared temp
        // folder), off the GUI thread, then queried.
        const QImage image = qvariant_cast<QImage>(mime->imageData());
        if (workspaceDir_.isEmpty() || image.isNull())
            return;
        auto* job = new SaveQueryImageJob(workspaceDir_, image);
        connect(job, &Job::succeeded, this, [this, job] { runImageQuery(job->file()); });
        connect(job, &Job::failed, this,
                [this](const QString& error) { status_->setText(tr("Paste failed: %1").arg(error)); });
        runner_->start(job);
        return;
    }
    if (mime && mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().first().isLocalFile())
        runImageQuery(mime->urls().first().toLocalFile());
    else if (mime && mime->hasText())
        query_->setText(mime->text());
}

void ExplorePanel::dragEnterEvent(QDragEnterEvent* event)
{
    // By name only: reading the file's header here would make the GUI
    // thread wait on the disk (a network share, a slow drive) mid-drag; a
    // misnamed file fails in the query job, which says why.
    const QMimeData* mime = event->mimeData();
    if ((mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().first().isLocalFile() &&
         hasImageExtension(mime->urls().first().toLocalFile().toStdString())) ||
        mime->hasImage())
        event->acceptProposedAction();
}

void ExplorePanel::dropEvent(QDropEvent* event)
{
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().first().isLocalFile()) {
        runImageQuery(mime->urls().first().toLocalFile());
        event->acceptProposedAction();
    }
}

}  // namespace xbt::ui
