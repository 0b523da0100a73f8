#pragma once
// Shows a job's progress on a bar: a fraction when the total is known (in
// thousandths, so large counts fit an int), a busy indicator when it is not.

#include <QProgressBar>

namespace xbt::ui {

inline void showJobProgress(QProgressBar* bar, qint64 done, qint64 total)
{
    if (total > 0) {
        bar->setRange(0, 1000);
        bar->setValue(static_cast<int>(1000.0 * static_cast<double>(done) / static_cast<double>(total)));
    } else {
        bar->setRange(0, 0);
    }
}

}  // namespace xbt::ui
