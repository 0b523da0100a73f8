#pragma once
// Shows an off-screen rendered chart (ui/charts) and renders it again at
// the widget's size on resize, so text stays crisp at any window size.

#include <QImage>
#include <QWidget>

#include <functional>

namespace xbt::ui {

class ChartImageView : public QWidget {
    Q_OBJECT
public:
    using Renderer = std::function<QImage(QSize)>;
    explicit ChartImageView(QWidget* parent = nullptr);
    void setRenderer(Renderer renderer);
    const QImage& image() const { return image_; }
    QSize sizeHint() const override { return {600, 400}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void render();
    Renderer renderer_;
    QImage image_;
};

}  // namespace xbt::ui
