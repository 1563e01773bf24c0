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

    static constexpr int kThumbWidth = 224;
    static constexpr int kThumbHeight = 126;
};

} // namespace ts
