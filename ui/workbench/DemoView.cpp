#include "ui/workbench/DemoView.h"

#include "core/workspace/DemoQueryList.h"
#include "ui/charts/ReportFormat.h"
#include "ui/workbench/DemoListEditor.h"
#include "ui/workbench/EvaluationJobs.h"
#include "ui/workbench/ExploreSearcher.h"
#include "ui/workbench/FontScale.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceJobs.h"
#include "ui/workbench/ResultColumnView.h"
#include "ui/workbench/ResultListModel.h"
#include "ui/workbench/ThumbnailLoader.h"
#include "core/pipeline/UpgradeSession.h"

#include <QApplication>
#include <QFrame>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QTableView>
#include <QStandardItemModel>
#include <QHeaderView>
#include <QKeyEvent>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QPushButton>
#include <QShortcut>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

namespace xbt::ui {

namespace {

// Enough to fill two or three rows of large tiles: the demo is about the
// first few results, not about scrolling.
constexpr int kResults = 8;
// Live typing searches once the presenter pauses, not on every keystroke.
constexpr int kTypingPauseMs = 400;
constexpr ColumnKind kColumnOrder[] = {ColumnKind::Today, ColumnKind::Raw, ColumnKind::Adapted, ColumnKind::Backfill};

// The depth the headline's "re-ranking the top 50" line measures.
constexpr int kRerankDepth = 50;

QString percent(double fraction) { return QString::number(100.0 * fraction, 'f', 1) + QLatin1Char('%'); }

}  // namespace

DemoView::DemoView(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), searcher_(new ExploreSearcher(runner, this)),
      thumbnails_(new ThumbnailLoader(this)), title_(new QLabel), previous_(new QPushButton(tr("\u25C0  Previous"))),
      query_(new QLineEdit), next_(new QPushButton(tr("Next  \u25B6"))), position_(new QLabel),
      edit_(new QPushButton(tr("Edit list..."))), rerank_(new QCheckBox(tr("Re-rank top 50"))),
      paths_(new QPushButton(tr("Upgrade paths"))), pathsTable_(new QTableView), pathsModel_(new QStandardItemModel(this)),
      exit_(new QPushButton(tr("Exit demo (Esc)"))), status_(new QLabel),
      typing_(new QTimer(this))
{
    setObjectName(QStringLiteral("demoView"));
    setFocusPolicy(Qt::StrongFocus);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, Qt::white);
    setPalette(p);

    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    title_->setTextFormat(Qt::PlainText);
    top->addWidget(title_, 1);
    edit_->setToolTip(tr("Edit the workspace's demo queries (a plain text file, one query per line)"));
    top->addWidget(edit_);
    rerank_->setToolTip(tr("Re-score the adapter column's top 50 with the new model, re-embedding those images "
                           "(kept in the gallery's new-model store for later queries)"));
    rerank_->setFocusPolicy(Qt::NoFocus);
    top->addWidget(rerank_);
    paths_->setCheckable(true);
    paths_->setShortcut(QKeySequence(tr("Ctrl+U")));
    paths_->setFocusPolicy(Qt::NoFocus);
    top->addWidget(paths_);
    top->addWidget(exit_);
    layout->addLayout(top);

    auto* tiles = new QHBoxLayout;
    tiles->setSpacing(12);
    recall_ = makeTile(this, QStringLiteral("recallTile"));
    images_ = makeTile(this, QStringLiteral("imagesTile"));
    time_ = makeTile(this, QStringLiteral("timeTile"));
    for (const Tile& t : {recall_, images_, time_})
        tiles->addWidget(t.value->parentWidget(), 1);
    layout->addLayout(tiles);
    // What each way of upgrading buys and costs, from the same evaluation
    // as the tiles; on request, so that the columns keep the room.
    pathsTable_->setModel(pathsModel_);
    pathsTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    pathsTable_->setSelectionMode(QAbstractItemView::NoSelection);
    pathsTable_->setFocusPolicy(Qt::NoFocus);
    pathsTable_->verticalHeader()->hide();
    pathsTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    pathsTable_->setWordWrap(false);
    pathsTable_->hide();
    layout->addWidget(pathsTable_);
    connect(paths_, &QPushButton::toggled, pathsTable_, &QWidget::setVisible);

    auto* bar = new QHBoxLayout;
    query_->setPlaceholderText(tr("Type a query, or page through the demo list"));
    query_->setClearButtonEnabled(true);
    bar->addWidget(previous_);
    bar->addWidget(query_, 1);
    bar->addWidget(next_);
    position_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("00 / 00")));
    position_->setAlignment(Qt::AlignCenter);
    bar->addWidget(position_);
    layout->addLayout(bar);

    auto* columns = new QHBoxLayout;
    for (size_t i = 0; i < std::size(kColumnOrder); ++i) {
        auto* column = new ResultColumnView(thumbnails_);
        // A presentation, not a workbench: no context menus or editing.
        column->view()->setContextMenuPolicy(Qt::NoContextMenu);
        column->view()->setFocusPolicy(Qt::NoFocus);
        connect(column, &ResultColumnView::hovered, this, &DemoView::highlight);
        columns_.push_back(column);
        columns->addWidget(column, 1);
    }
    layout->addLayout(columns, 1);
    status_->setWordWrap(true);
    layout->addWidget(status_);

    // Buttons take no focus, so the arrow keys keep paging after a click.
    for (QPushButton* b : {previous_, next_, edit_, exit_})
        b->setFocusPolicy(Qt::NoFocus);
    connect(previous_, &QPushButton::clicked, this, &DemoView::previous);
    connect(next_, &QPushButton::clicked, this, &DemoView::next);
    connect(edit_, &QPushButton::clicked, this, &DemoView::editQueries);
    connect(rerank_, &QCheckBox::toggled, this, [this] {
        if (!query_->text().trimmed().isEmpty())
            search(query_->text());
    });
    connect(exit_, &QPushButton::clicked, this, &DemoView::exitRequested);
    typing_->setSingleShot(true);
    typing_->setInterval(kTypingPauseMs);
    connect(query_, &QLineEdit::textEdited, typing_, qOverload<>(&QTimer::start));
    connect(typing_, &QTimer::timeout, this, [this] { runTypedQuery(query_->text()); });
    connect(query_, &QLineEdit::returnPressed, this, [this] {
        typing_->stop();
        runTypedQuery(query_->text());
    });
    // The line edit keeps Left/Right for its cursor (it overrides these
    // shortcuts while it has focus); everywhere else they page.
    const auto bind = [this](QKeySequence key, void (DemoView::*slot)()) {
        auto* s = new QShortcut(key, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    bind(QKeySequence(Qt::Key_PageDown), &DemoView::next);
    bind(QKeySequence(Qt::Key_Right), &DemoView::next);
    bind(QKeySequence(Qt::Key_PageUp), &DemoView::previous);
    bind(QKeySequence(Qt::Key_Left), &DemoView::previous);
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, this, &DemoView::exitRequested);

    connect(searcher_, &ExploreSearcher::finished, this, &DemoView::showOutcome);
    connect(searcher_, &ExploreSearcher::failed, this, [this](const QString& error) {
        status_->setText(tr("The query failed: %1").arg(error));
        Q_EMIT queryFailed(error);
    });

    for (ResultColumnView* c : columns_)
        c->setVisible(true);
    title_->setText(tr("Demo mode: open a workspace first (Ctrl+O)"));
    showHeadline();
    updatePosition();
    applyTypeScale();
}

DemoView::Tile DemoView::makeTile(QWidget* parent, const QString& objectName)
{
    auto* frame = new QFrame(parent);
    frame->setObjectName(objectName);
    frame->setStyleSheet(QStringLiteral("QFrame#%1 { background: #f1f4f9; border: 1px solid #d5dbe5; border-radius: 8px; }")
                             .arg(objectName));
    auto* box = new QVBoxLayout(frame);
    Tile t{new QLabel, new QLabel};
    t.value->setTextFormat(Qt::PlainText);
    t.caption->setTextFormat(Qt::PlainText);
    t.caption->setWordWrap(true);
    t.caption->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    box->addWidget(t.value);
    box->addWidget(t.caption, 1);
    return t;
}

void DemoView::setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary)
{
    session_ = std::move(session);
    searcher_->setSession(session_);
    workspaceDir_ = QString::fromStdString(summary.dir);
    thumbnails_->setWorkspaceDir(QString::fromStdString(summary.dir));
    queriesFile_ = QString::fromStdString(summary.demoQueriesFile);
    const auto& adapters = summary.queryAdapters;
    const std::string preferred = summary.profile.defaultAdapter;
    if (std::find(adapters.begin(), adapters.end(), preferred) != adapters.end())
        adapter_ = QString::fromStdString(preferred);
    else
        adapter_ = adapters.empty() ? QString() : QString::fromStdString(adapters.front());
    oldFingerprint_.clear();
    newFingerprint_.clear();
    for (const ModelStatus& m : summary.models)
        (m.role == "old" ? oldFingerprint_ : newFingerprint_) = m.loaded ? m.info.fingerprint : std::string();
    hasNewGallery_ = !summary.profile.newGallery.empty();
    queries_.clear();
    for (const std::string& q : summary.demoQueries)
        queries_ << QString::fromStdString(q);
    if (index_ >= queries_.size())
        index_ = -1;
    title_->setText(tr("Upgrading %1 \u2192 %2 without re-embedding the gallery")
                        .arg(QString::fromStdString(summary.profile.oldModel), QString::fromStdString(summary.profile.newModel)));
    if (!summary.demoQueriesError.empty())
        status_->setText(tr("The demo list could not be read: %1. Fix the file or save a new list with \"Edit list...\".")
                             .arg(QString::fromStdString(summary.demoQueriesError)));
    else if (queries_.isEmpty())
        status_->setText(tr("This workspace has no demo queries yet: type one, or add some with \"Edit list...\"."));
    outcome_.reset();
    headline_.reset();
    showHeadline();
    updatePosition();
    // A workspace reopened while the demo is on screen (a new adapter, a
    // new gallery) is shown again at once; otherwise showing waits for showEvent.
    if (isVisible()) {
        refreshHeadline();
        showCurrent();
    }
}

void DemoView::showCurrent()
{
    if (index_ >= 0)
        showQuery(index_);
    else if (!query_->text().trimmed().isEmpty())
        runTypedQuery(query_->text());
    else if (!queries_.isEmpty())
        showQuery(0);
}

void DemoView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!session_)
        return;
    if (!headline_)
        refreshHeadline();
    if (!outcome_ && !searcher_->busy())
        showCurrent();
}

QString DemoView::currentQuery() const { return query_->text(); }

ResultColumnView* DemoView::column(int i) const { return columns_.at(static_cast<size_t>(i)); }

void DemoView::showQuery(int index)
{
    if (queries_.isEmpty())
        return;
    const int n = static_cast<int>(queries_.size());
    index_ = ((index % n) + n) % n;
    typing_->stop();
    query_->setText(queries_[index_]);
    updatePosition();
    search(queries_[index_]);
}

void DemoView::next()
{
    if (!queries_.isEmpty())
        showQuery(index_ < 0 ? 0 : index_ + 1);
}

void DemoView::previous()
{
    if (!queries_.isEmpty())
        showQuery(index_ < 0 ? static_cast<int>(queries_.size()) - 1 : index_ - 1);
}

void DemoView::runTypedQuery(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return;
    // Typing a query that is on the list puts the presenter back on the list.
    index_ = static_cast<int>(queries_.indexOf(trimmed));
    updatePosition();
    search(trimmed);
}

void DemoView::setRerankDepth(int k) { rerank_->setChecked(k > 0); }

int DemoView::rerankDepth() const { return rerank_->isChecked() ? kRerankDepth : 0; }

void DemoView::search(const QString& text)
{
    if (!session_) {
        status_->setText(tr("Open a workspace first (Ctrl+O)."));
        return;
    }
    ComparisonQuery q;
    q.text = text.trimmed().toStdString();
    q.adapter = adapter_.toStdString();
    q.k = kResults;
    q.rerankK = rerankDepth();
    status_->setText(tr("Searching \"%1\" ...").arg(text.trimmed()));
    searcher_->search(q);
}

void DemoView::showOutcome(const ExploreOutcome& outcome)
{
    outcome_ = outcome;
    for (size_t i = 0; i < columns_.size(); ++i) {
        const ColumnKind kind = kColumnOrder[i];
        ComparisonColumn c;
        c.kind = kind;
        const auto found = std::find_if(outcome.columns.begin(), outcome.columns.end(),
                                        [kind](const ComparisonColumn& e) { return e.kind == kind; });
        if (found != outcome.columns.end())
            c = *found;
        // The engine's titles ("new -> old") are for engineers; the demo
        // speaks of the decision being made.
        switch (kind) {
        case ColumnKind::Today:
            c.title = tr("Today").toStdString();
            c.subtitle = tr("old model, old gallery").toStdString();
            break;
        case ColumnKind::Raw:
            c.title = tr("Naive upgrade").toStdString();
            c.subtitle = tr("new model on the old gallery, no adapter").toStdString();
            break;
        case ColumnKind::Adapted:
            c.title = tr("Compatible upgrade").toStdString();
            c.subtitle = (adapter_.isEmpty() ? tr("new model + adapter, old gallery kept")
                                             : tr("new model + adapter '%1', old gallery kept").arg(adapter_))
                             .toStdString();
            if (c.results.rerank.k > 0) {
                c.title = tr("Compatible + re-rank @%1").arg(c.results.rerank.k).toStdString();
                c.subtitle += tr("; top %1 re-scored by the new model (%2 re-embedded now, %3 reused)")
                                  .arg(c.results.rerank.k)
                                  .arg(c.results.rerank.reembedded)
                                  .arg(c.results.rerank.reused)
                                  .toStdString();
            }
            break;
        case ColumnKind::Backfill:
            c.title = tr("Full re-index").toStdString();
            c.subtitle = tr("new model, every image re-embedded").toStdString();
            if (found == outcome.columns.end())
                c.unavailable = (hasNewGallery_ ? tr("The new-model gallery could not be searched.")
                                                : tr("No new-model gallery in this workspace: index the images with the "
                                                     "new model (Index tab) and set new_gallery in upgrade.json to "
                                                     "compare with a full re-index."))
                                    .toStdString();
            break;
        }
        columns_[i]->setColumn(c);
    }
    QString text = tr("%1 results per column in %2 s.").arg(kResults).arg(outcome.seconds, 0, 'f', 2);
    if (!outcome.groundTruthImage.empty())
        text += tr("  \u2713 marks the image this caption was written for.");
    text += tr("  \u2190 \u2192 or PageUp/PageDown: previous/next query; type to ask your own; Esc leaves the demo.");
    status_->setText(text);
    Q_EMIT queryFinished();
}

void DemoView::refreshHeadline()
{
    if (!session_)
        return;
    const int generation = ++headlineGeneration_;
    auto* job = new DemoHeadlineJob(session_, adapter_.toStdString(), oldFingerprint_, newFingerprint_);
    connect(job, &Job::succeeded, this, [this, job, generation] {
        if (generation != headlineGeneration_)
            return;
        headline_ = job->headline();
        showHeadline();
        Q_EMIT headlineReady();
    });
    connect(job, &Job::failed, this, [this, generation](const QString& error, bool cancelled) {
        if (generation == headlineGeneration_ && !cancelled)
            status_->setText(tr("The headline numbers could not be loaded: %1").arg(error));
    });
    runner_->start(job);
}

void DemoView::setUpgradePathsShown(bool shown) { paths_->setChecked(shown && paths_->isEnabled()); }

bool DemoView::upgradePathsShown() const { return paths_->isChecked(); }

void DemoView::showHeadline()
{
    const QString dash = QStringLiteral("\u2013");
    pathsModel_->clear();
    pathsModel_->setHorizontalHeaderLabels({tr("path"), tr("text \u2192 image R@1"), tr("image \u2192 text R@1"),
                                            tr("images re-embedded once"), tr("per query"), tr("time, 10M images"),
                                            tr("query p50 / p95 ms")});
    if (headline_)
        for (const UpgradePathRow& p : headline_->paths) {
            QList<QStandardItem*> row{new QStandardItem(charts::plainText(p.path))};
            for (const QString& cell : {percent(p.t2iR1), percent(p.i2tR1), QString::fromStdString(p.imagesOnce),
                                        QString::fromStdString(p.imagesPerQuery), QString::fromStdString(p.time10M),
                                        QString::fromStdString(p.queryLatency)}) {
                auto* item = new QStandardItem(cell);
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                row << item;
            }
            pathsModel_->appendRow(row);
        }
    // The path takes what the numbers leave (elided if it must).
    pathsTable_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    const bool havePaths = pathsModel_->rowCount() > 0;
    paths_->setEnabled(havePaths);
    paths_->setToolTip(havePaths ? tr("Show or hide the upgrade decision table of the latest evaluation (Ctrl+U)")
                                 : tr("No upgrade paths measured yet: run Evaluate with \"Upgrade paths\" on"));
    if (!havePaths)
        paths_->setChecked(false);
    if (!headline_) {
        for (const Tile& t : {recall_, images_, time_})
            t.value->setText(dash);
        recall_.caption->setText(tr("recall kept or gained"));
        images_.caption->setText(tr("images not re-embedded"));
        time_.caption->setText(tr("re-embedding time saved"));
        return;
    }
    const DemoHeadline& h = *headline_;
    if (h.adaptedR1 && h.todayR1) {
        const double gain = *h.adaptedR1 - *h.todayR1;
        QString backfill;
        if (h.backfillR1)
            backfill = tr(", full re-index %1").arg(percent(*h.backfillR1));
        if (h.rerankR1 && h.backfillR1 && *h.backfillR1 > 0)
            backfill += tr(". Re-ranking the top %1 with the new model: %2 (%3% of a full re-index), %1 images per "
                           "query")
                            .arg(h.rerankK)
                            .arg(percent(*h.rerankR1))
                            .arg(100.0 * *h.rerankR1 / *h.backfillR1, 0, 'f', 0);
        if (gain >= 0) {
            recall_.value->setText(tr("+%1 points").arg(100.0 * gain, 0, 'f', 1));
            recall_.value->setStyleSheet(QStringLiteral("color: #1e7d32;"));
            recall_.caption->setText(tr("recall gained: text queries find the right image first %1 of the time, vs %2 "
                                        "today%3")
                                         .arg(percent(*h.adaptedR1), percent(*h.todayR1), backfill));
        } else {
            recall_.value->setText(tr("%1% kept").arg(*h.todayR1 > 0 ? 100.0 * *h.adaptedR1 / *h.todayR1 : 0.0, 0, 'f', 0));
            recall_.value->setStyleSheet(QStringLiteral("color: #b35c00;"));
            recall_.caption->setText(tr("of today's recall kept: R@1 %1 with the compatible upgrade vs %2 today%3")
                                         .arg(percent(*h.adaptedR1), percent(*h.todayR1), backfill));
        }
    } else {
        recall_.value->setText(dash);
        recall_.value->setStyleSheet(QString());
        recall_.caption->setText(tr("recall kept or gained: run Evaluate to measure (%1)")
                                     .arg(QString::fromStdString(h.recallMissing)));
    }
    if (h.galleryImages >= 0) {
        images_.value->setText(QLocale().toString(static_cast<qlonglong>(h.galleryImages)));
        images_.caption->setText(tr("images not re-embedded: the old gallery stays as it is"));
    } else {
        images_.value->setText(dash);
        images_.caption->setText(tr("images not re-embedded: the old gallery could not be read (%1)")
                                     .arg(QString::fromStdString(h.galleryError)));
    }
    if (const std::optional<double> seconds = h.secondsSaved()) {
        time_.value->setText(spokenDuration(*seconds));
        // The sample gallery is small; the figure people plan with is a
        // production-sized one at the same rate.
        time_.caption->setText(tr("of re-embedding saved (the new model's measured %1 images/s here; 10 million "
                                  "images: %2)")
                                   .arg(h.imagesPerSecond, 0, 'f', 1)
                                   .arg(spokenDuration(1e7 / h.imagesPerSecond)));
    } else {
        time_.value->setText(dash);
        time_.caption->setText(tr("re-embedding time saved: run Evaluate to measure the new model's embedding rate"));
    }
}

QString DemoView::headlineText() const
{
    QStringList parts;
    for (const Tile& t : {recall_, images_, time_})
        parts << t.value->text() + QLatin1Char(' ') + t.caption->text();
    return parts.join(QStringLiteral(" | "));
}

void DemoView::updatePosition()
{
    if (queries_.isEmpty())
        position_->setText(tr("no list"));
    else if (index_ < 0)
        position_->setText(tr("typed"));
    else
        position_->setText(QStringLiteral("%1 / %2").arg(index_ + 1).arg(queries_.size()));
    previous_->setEnabled(!queries_.isEmpty());
    next_->setEnabled(!queries_.isEmpty());
}

void DemoView::editQueries()
{
    if (!session_) {
        status_->setText(tr("Open a workspace first (Ctrl+O)."));
        return;
    }
    auto* job = new ReadDemoListJob(QString::fromStdString(session_->dir()), queriesFile_.toStdString());
    connect(job, &Job::succeeded, this, [this, job] {
        auto* editor = new DemoListEditor(queriesFile_, QString::fromStdString(job->text()), this);
        editor->setAttribute(Qt::WA_DeleteOnClose);
        connect(editor, &QDialog::accepted, this, [this, editor] { saveQueries(editor->text()); });
        editor->open();
    });
    connect(job, &Job::failed, this,
            [this](const QString& error) { status_->setText(tr("Could not read the demo list: %1").arg(error)); });
    runner_->start(job);
}

void DemoView::saveQueries(const QString& text)
{
    if (!session_)
        return;
    auto* job = new SaveDemoListJob(session_, text.toStdString());
    connect(job, &Job::succeeded, this, [this, job] {
        const QString previous = index_ >= 0 ? queries_.value(index_) : QString();
        queries_.clear();
        for (const std::string& q : job->queries())
            queries_ << QString::fromStdString(q);
        status_->setText(tr("Saved %n demo queries to %1.", nullptr, static_cast<int>(queries_.size())).arg(queriesFile_));
        Q_EMIT queriesSaved(queries_);
        // Stay on the query shown if it is still on the list.
        if (index_ >= 0) {
            const int kept = static_cast<int>(queries_.indexOf(previous));
            if (kept >= 0)
                index_ = kept;
            else if (!queries_.isEmpty())
                showQuery(std::min(index_, static_cast<int>(queries_.size()) - 1));
            else
                index_ = -1;
        }
        updatePosition();
    });
    connect(job, &Job::failed, this, [this](const QString& error) {
        status_->setText(tr("The demo list was not saved: %1").arg(error));
        Q_EMIT saveFailed(error);
    });
    runner_->start(job);
}

void DemoView::highlight(const QString& path)
{
    for (ResultColumnView* c : columns_)
        c->model()->setHighlightedPath(path);
}

void DemoView::keyPressEvent(QKeyEvent* event)
{
    // Typing anywhere in the demo starts a new query: the presenter need not
    // click into the field first.
    const QString text = event->text();
    if (!text.isEmpty() && text.at(0).isPrint() && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
        query_->setFocus();
        query_->selectAll();
        QApplication::sendEvent(query_, event);
        return;
    }
    QWidget::keyPressEvent(event);
}

void DemoView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    applyTypeScale();
}

void DemoView::applyTypeScale()
{
    // Large type that grows with the screen: readable from the back of a
    // room at 1366x768 and not toy-like at 2560x1440.
    const int px = std::clamp(height() / 44, 14, 40);
    QFont base = QApplication::font();
    base.setPixelSize(px);
    if (font().pixelSize() != px)
        setFont(base);
    QFont titleFont = scaledFont(base, 1.25);
    titleFont.setBold(true);
    title_->setFont(titleFont);
    QFont value = scaledFont(base, 2.2);
    value.setBold(true);
    for (const Tile& t : {recall_, images_, time_}) {
        t.value->setFont(value);
        t.caption->setFont(scaledFont(base, 0.9));
    }
    query_->setFont(scaledFont(base, 1.4));
    // A reference table: it must fit, not shout; one line a row.
    pathsTable_->setFont(scaledFont(base, 0.75));
    pathsTable_->verticalHeader()->setDefaultSectionSize(QFontMetrics(pathsTable_->font()).height() + 6);
    status_->setFont(scaledFont(base, 0.8));
    // Two thumbnails per column row: big enough to see from afar, and the
    // first few results all in view.
    const int tile = std::max(96, std::min(height() / 5, width() / 10));
    for (ResultColumnView* c : columns_)
        c->setTileSide(tile);
}

}  // namespace xbt::ui
