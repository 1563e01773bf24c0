// Paints the library's status column: a progress bar while a video is ingested, the state text otherwise.
#pragma once

#include <QStyledItemDelegate>

namespace ts {

class ProgressDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ProgressDelegate(QObject *parent);
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace ts
