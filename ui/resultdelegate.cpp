#include "resultdelegate.h"

#include "maskoverlay.h"
#include "resultsmodel.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace ts {

namespace {
constexpr int kMargin = 6;
constexpr int kChip = 16;

QColor gradeColor(int grade)
{
    switch (grade) {
    case 2: return QColor(46, 160, 67);
    case 1: return QColor(210, 153, 34);
    case 0: return QColor(160, 160, 160);
    default: return {};
    }
}
} // namespace

ResultDelegate::ResultDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

int ResultDelegate::cardWidthFor(int viewportWidth, int spacing)
{
    // A row of n cards takes n * (width + spacing) + spacing; one pixel is kept free so rounding never wraps a row.
    const int usable = viewportWidth - spacing - 1;
    const int columns = std::max(1, usable / (kMinCardWidth + spacing));
    const int width = usable / columns - spacing;
    return std::clamp(width, 120, kMaxCardWidth);
}

void ResultDelegate::setCardWidth(int width)
{
    if (width == m_cardWidth)
        return;
    m_cardWidth = width;
    emit sizeHintChanged({});
}

QSize ResultDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int line = option.fontMetrics.height();
    const int thumbHeight = (m_cardWidth - 2 * kMargin) * 9 / 16;
    return {m_cardWidth, thumbHeight + 2 * kMargin + 2 * line + kChip + 8};
}

void ResultDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = option.palette;
    const QRect card = option.rect.adjusted(2, 2, -2, -2);
    const bool selected = option.state & QStyle::State_Selected;
    QPainterPath cardPath;
    cardPath.addRoundedRect(card, 6, 6);
    painter->fillPath(cardPath, selected ? pal.highlight().color().lighter(170) : pal.base().color());
    painter->setPen(QPen(selected ? pal.highlight().color() : pal.mid().color(), selected ? 2 : 1));
    painter->drawPath(cardPath);

    // Thumbnail, aspect kept, centred in its box.
    const int thumbWidth = m_cardWidth - 2 * kMargin;
    const QRect thumbBox(card.left() + kMargin - 2, card.top() + kMargin - 2, thumbWidth, thumbWidth * 9 / 16);
    painter->fillRect(thumbBox, QColor(24, 24, 24));
    const QImage thumb = index.data(ResultsModel::ThumbnailRole).value<QImage>();
    painter->setPen(QColor(200, 200, 200));
    if (!thumb.isNull()) {
        const QSize s = thumb.size().scaled(thumbBox.size(), Qt::KeepAspectRatio);
        const QRect target(thumbBox.center().x() - s.width() / 2 + 1, thumbBox.center().y() - s.height() / 2 + 1,
                           s.width(), s.height());
        painter->setRenderHint(QPainter::SmoothPixmapTransform);
        painter->drawImage(target, thumb);
    } else if (index.data(ResultsModel::ThumbnailFailedRole).toBool()) {
        painter->drawText(thumbBox, Qt::AlignCenter, tr("no preview"));
    } else {
        painter->drawText(thumbBox, Qt::AlignCenter, tr("loading…"));
    }

    // Rank badge.
    const QString rank = QStringLiteral("#%1").arg(index.data(ResultsModel::RankRole).toInt());
    QFont bold = option.font;
    bold.setBold(true);
    painter->setFont(bold);
    const QRect rankRect(thumbBox.left() + 4, thumbBox.top() + 4, QFontMetrics(bold).horizontalAdvance(rank) + 10,
                         QFontMetrics(bold).height() + 2);
    QPainterPath badge;
    badge.addRoundedRect(rankRect, 4, 4);
    painter->fillPath(badge, QColor(0, 0, 0, 170));
    painter->setPen(Qt::white);
    painter->drawText(rankRect, Qt::AlignCenter, rank);

    // Grade badge (annotator).
    const int grade = index.data(ResultsModel::GradeRole).toInt();
    if (grade >= 0) {
        const QRect g(thumbBox.right() - 26, thumbBox.top() + 4, 22, QFontMetrics(bold).height() + 2);
        QPainterPath p;
        p.addRoundedRect(g, 4, 4);
        painter->fillPath(p, gradeColor(grade));
        painter->drawText(g, Qt::AlignCenter, QString::number(grade));
    }

    // Key and score.
    const int line = option.fontMetrics.height();
    QRect text(card.left() + kMargin, thumbBox.bottom() + 4, card.width() - 2 * kMargin, line);
    painter->setPen(selected ? pal.highlightedText().color() : pal.text().color());
    if (selected)
        painter->setPen(pal.text().color());
    const QString score = QLocale().toString(index.data(ResultsModel::ScoreRole).toDouble(), 'f', 3);
    const int scoreWidth = QFontMetrics(bold).horizontalAdvance(score) + 4;
    painter->drawText(text.adjusted(0, 0, -scoreWidth, 0), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(bold).elidedText(index.data(ResultsModel::KeyRole).toString(), Qt::ElideMiddle,
                                                    text.width() - scoreWidth));
    painter->setFont(option.font);
    painter->setPen(pal.placeholderText().color());
    painter->drawText(text, Qt::AlignRight | Qt::AlignVCenter, score);

    // Grounded objects, in their track colours.
    text.translate(0, line);
    const QStringList objects = index.data(ResultsModel::ObjectsRole).toStringList();
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(objects.isEmpty() ? tr("no grounded objects") : objects.join(QStringLiteral(", ")),
                                                    Qt::ElideRight, text.width()));

    // One chip per sub-query: filled when satisfied.
    const int count = index.data(ResultsModel::SubQueryCountRole).toInt();
    const QList<int> satisfied = index.data(ResultsModel::SatisfiedRole).value<QList<int>>();
    QFont small = option.font;
    small.setPointSizeF(std::max(6.0, option.font.pointSizeF() * 0.8));
    painter->setFont(small);
    int x = card.left() + kMargin;
    const int y = text.bottom() + 4;
    for (int i = 0; i < count && x + kChip <= card.right() - kMargin; ++i) {
        const QRect chip(x, y, kChip, kChip);
        const bool met = satisfied.contains(i);
        const QColor c = subQueryColor(i);
        QPainterPath p;
        p.addRoundedRect(chip, 4, 4);
        if (met)
            painter->fillPath(p, c);
        painter->setPen(QPen(c.darker(130), 1.2));
        painter->drawPath(p);
        painter->setPen(met ? Qt::black : pal.text().color());
        painter->drawText(chip, Qt::AlignCenter, QString::number(i + 1));
        x += kChip + 3;
    }
    painter->restore();
}

} // namespace ts
