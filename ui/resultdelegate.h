// Paints a result card in the grid: the thumbnail with the grounding masks, rank, score, key, one chip per
// sub-query (filled when the video satisfies it) and the annotator's grade.
#pragma once

#include <QStyledItemDelegate>

namespace ts {

class ResultDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ResultDelegate(QObject *parent);
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    /// Cards fill the grid's width: as many columns as fit cards of at least kMinCardWidth, no card wider than
    /// kMaxCardWidth. Returns the card width for a viewport of that width and that item spacing.
    static int cardWidthFor(int viewportWidth, int spacing);
    /// Sets the card width (the thumbnail keeps 16:9); emits sizeHintChanged when it changed.
    void setCardWidth(int width);
    int cardWidth() const { return m_cardWidth; }

    static constexpr int kMinCardWidth = 200;
    static constexpr int kMaxCardWidth = 320;

private:
    int m_cardWidth = 236;
};

} // namespace ts
