#include "querybar.h"

#include "maskoverlay.h"

#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QProgressBar>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWidgetAction>

#include <algorithm>
#include <utility>

namespace ts {

namespace {
constexpr int kHistoryMax = 50;
const char *const kHistoryKey = "query/history";

/// A one-line status text that gives way: shown whole when there is room, elided (whole in its tooltip) when not,
/// so a long stage name or model name never raises the window's minimum width.
class ElidingLabel : public QLabel {
public:
    using QLabel::QLabel;
    QSize minimumSizeHint() const override
    {
        return {fontMetrics().horizontalAdvance(QStringLiteral("M…")) + 4, QLabel::minimumSizeHint().height()};
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setPen(palette().color(foregroundRole()));
        p.drawText(contentsRect(), Qt::AlignVCenter | Qt::AlignLeft,
                   fontMetrics().elidedText(text(), Qt::ElideRight, contentsRect().width()));
    }
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::ToolTip && fontMetrics().horizontalAdvance(text()) > contentsRect().width()) {
            QToolTip::showText(static_cast<QHelpEvent *>(e)->globalPos(), text(), this);
            return true;
        }
        return QLabel::event(e);
    }
};
} // namespace

/// The sub-queries as rounded chips that wrap onto more lines instead of widening the window.
class ChipsWidget : public QWidget {
public:
    struct Chip {
        QString text;
        QColor color;
        QString toolTip;
    };
    explicit ChipsWidget(QWidget *parent) : QWidget(parent)
    {
        QSizePolicy p(QSizePolicy::Preferred, QSizePolicy::Preferred);
        p.setHeightForWidth(true);
        setSizePolicy(p);
    }
    void setChips(std::vector<Chip> chips)
    {
        m_chips = std::move(chips);
        updateGeometry();
        update();
    }
    int count() const { return static_cast<int>(m_chips.size()); }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override
    {
        const std::vector<QRect> rects = layoutChips(w);
        return rects.empty() ? 0 : rects.back().bottom() + 2;
    }
    QSize sizeHint() const override { return {200, heightForWidth(std::max(200, width()))}; }
    QSize minimumSizeHint() const override { return {50, m_chips.empty() ? 0 : chipHeight()}; }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const std::vector<QRect> rects = layoutChips(width());
        for (size_t i = 0; i < m_chips.size(); ++i) {
            QPainterPath path;
            path.addRoundedRect(rects[i], rects[i].height() / 2.0, rects[i].height() / 2.0);
            p.fillPath(path, m_chips[i].color.lighter(130));
            p.setPen(Qt::black);
            p.drawText(rects[i], Qt::AlignCenter, m_chips[i].text);
        }
    }
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::ToolTip) {
            auto *help = static_cast<QHelpEvent *>(e);
            const std::vector<QRect> rects = layoutChips(width());
            for (size_t i = 0; i < rects.size(); ++i)
                if (rects[i].contains(help->pos())) {
                    QToolTip::showText(help->globalPos(), m_chips[i].toolTip, this);
                    return true;
                }
            QToolTip::hideText();
            return true;
        }
        return QWidget::event(e);
    }

private:
    int chipHeight() const { return fontMetrics().height() + 4; }
    std::vector<QRect> layoutChips(int width) const
    {
        std::vector<QRect> rects;
        const QFontMetrics fm = fontMetrics();
        int x = 0, y = 1;
        const int h = chipHeight();
        for (const Chip &c : m_chips) {
            const int w = std::min(width, fm.horizontalAdvance(c.text) + 18);
            if (x > 0 && x + w > width) {
                x = 0;
                y += h + 3;
            }
            rects.emplace_back(x, y, w, h);
            x += w + 4;
        }
        return rects;
    }

    std::vector<Chip> m_chips;
};

QueryBar::QueryBar(QSettings *settings, QWidget *parent) : QWidget(parent), m_settings(settings)
{
    m_edit = new QComboBox(this);
    m_edit->setEditable(true);
    m_edit->setInsertPolicy(QComboBox::NoInsert);
    m_edit->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    // The bar stretches; sized by the longest history entry, a long query in the library widened the whole window.
    m_edit->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_edit->setMinimumContentsLength(12);
    m_edit->lineEdit()->setPlaceholderText(tr("Describe what you are looking for, e.g. “the animal that hibernates, walking on rocks”"));
    m_edit->lineEdit()->setClearButtonEnabled(true);
    m_edit->setToolTip(tr("Query (Ctrl+L); the arrow opens the history"));

    m_search = new QToolButton(this);
    m_search->setText(tr("Search"));
    m_search->setToolTip(tr("Run the query (Enter)"));
    m_search->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_cancel = new QToolButton(this);
    m_cancel->setObjectName("cancelQuery");
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the running query (Esc)"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->setEnabled(false);

    // Retrieval options, remembered between sessions.
    auto *menu = new QMenu(this);
    auto *topBox = new QWidget(menu);
    auto *topLayout = new QHBoxLayout(topBox);
    topLayout->setContentsMargins(8, 2, 8, 2);
    topLayout->addWidget(new QLabel(tr("Results:"), topBox));
    m_top = new QSpinBox(topBox);
    m_top->setRange(1, 200);
    m_top->setValue(m_settings ? m_settings->value("query/top", 20).toInt() : 20);
    topLayout->addWidget(m_top);
    auto *topAction = new QWidgetAction(menu);
    topAction->setDefaultWidget(topBox);
    menu->addAction(topAction);
    menu->addSeparator();
    auto addToggle = [&](const QString &text, const QString &key, bool def) {
        QAction *a = menu->addAction(text);
        a->setCheckable(true);
        a->setChecked(m_settings ? m_settings->value(key, def).toBool() : def);
        connect(a, &QAction::toggled, this, [this, key](bool on) {
            if (m_settings)
                m_settings->setValue(key, on);
        });
        return a;
    };
    m_decompose = addToggle(tr("Decompose the query (QD)"), "query/decompose", true);
    m_align = addToggle(tr("Compositional alignment (CA)"), "query/align", true);
    m_reason = addToggle(tr("Reasoning rerank (LR)"), "query/reason", true);
    m_jit = addToggle(tr("Just-in-time refinement (JiT)"), "query/jit", true);
    connect(m_top, &QSpinBox::valueChanged, this, [this](int v) {
        if (m_settings)
            m_settings->setValue("query/top", v);
    });
    m_optionsButton = new QToolButton(this);
    m_optionsButton->setText(tr("Options"));
    m_optionsButton->setMenu(menu);
    m_optionsButton->setPopupMode(QToolButton::InstantPopup);

    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 1000);
    m_busy->setMaximumWidth(140);
    m_busy->setTextVisible(false);
    m_busy->setVisible(false);
    m_stage = new ElidingLabel(this);
    m_stage->setVisible(false);

    // Fast: the LLM decomposes, the built-in judge reads the candidates (seconds). Deep: the LLM also reads the best
    // candidates (tens of seconds on a CPU).
    m_mode = new QComboBox(this);
    m_mode->setObjectName("modeSwitch");
    m_mode->addItem(tr("Fast"), "fast");
    m_mode->addItem(tr("Deep"), "deep");
    m_mode->setItemData(0, tr("The language model decomposes the query; the built-in reasoner judges each candidate."),
                        Qt::ToolTipRole);
    m_mode->setItemData(1, tr("The language model also reads the best candidates side by side and says which fit "
                              "the query (a model behind an endpoint judges each one and asks for just-in-time "
                              "refinement). Slower on a CPU."),
                        Qt::ToolTipRole);
    m_mode->setCurrentIndex(m_settings && m_settings->value("query/mode", "fast").toString() == "deep" ? 1 : 0);
    m_mode->setToolTip(tr("Reasoning mode"));
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        if (m_settings)
            m_settings->setValue("query/mode", m_mode->currentData().toString());
    });

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_edit, 1);
    row->addWidget(m_mode);
    row->addWidget(m_search);
    row->addWidget(m_cancel);
    row->addWidget(m_optionsButton);

    m_chips = new ChipsWidget(this);
    m_decomposer = new ElidingLabel(this);
    m_decomposer->setForegroundRole(QPalette::PlaceholderText);
    auto *chipRow = new QHBoxLayout;
    chipRow->setContentsMargins(0, 0, 0, 0);
    chipRow->addWidget(m_chips, 1);
    chipRow->addWidget(m_stage);
    chipRow->addWidget(m_busy);
    chipRow->addWidget(m_decomposer);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 2);
    layout->addLayout(row);
    layout->addLayout(chipRow);

    if (m_settings)
        m_userHistory = m_settings->value(kHistoryKey).toStringList();
    rebuildHistory();
    m_edit->setCurrentText(QString());

    connect(m_search, &QToolButton::clicked, this, &QueryBar::submit);
    // Picking a query from the history list runs it, as in a browser's address bar. QComboBox::activated alone
    // cannot tell: the line edit's completer emits it too when focus leaves on a text that matches an item.
    m_edit->view()->viewport()->installEventFilter(this);
    m_edit->view()->installEventFilter(this);
    connect(m_edit, &QComboBox::activated, this, [this](int index) {
        if (!std::exchange(m_pickedFromList, false))
            return;
        m_edit->setCurrentText(m_edit->itemText(index));
        submit();
    });
    // Enter is taken here: an editable combo box would otherwise pass the key on and report it twice.
    m_edit->lineEdit()->installEventFilter(this);
    connect(m_cancel, &QToolButton::clicked, this, &QueryBar::cancelRequested);
}

QString QueryBar::kindText(SubQueryKind kind)
{
    switch (kind) {
    case SubQueryKind::Object: return tr("object");
    case SubQueryKind::Attribute: return tr("attribute");
    case SubQueryKind::Spatial: return tr("spatial relation");
    case SubQueryKind::Temporal: return tr("temporal relation");
    case SubQueryKind::Count: return tr("count");
    case SubQueryKind::Scene: return tr("scene");
    case SubQueryKind::Action: return tr("action");
    }
    return {};
}

bool QueryBar::eventFilter(QObject *watched, QEvent *event)
{
    const bool listPick =
        (watched == m_edit->view()->viewport() && event->type() == QEvent::MouseButtonRelease) ||
        (watched == m_edit->view() && event->type() == QEvent::KeyPress &&
         (static_cast<QKeyEvent *>(event)->key() == Qt::Key_Return || static_cast<QKeyEvent *>(event)->key() == Qt::Key_Enter));
    if (listPick) {
        // The combo box emits activated while it handles this event; the flag does not outlive it.
        m_pickedFromList = true;
        QTimer::singleShot(0, this, [this] { m_pickedFromList = false; });
        return false;
    }
    if (watched == m_edit->lineEdit() && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            submit();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString QueryBar::text() const { return m_edit->currentText().trimmed(); }

void QueryBar::setText(const QString &text)
{
    m_edit->setCurrentText(text);
    m_edit->lineEdit()->setCursorPosition(0); // show the beginning of a long query
}

void QueryBar::focusQuery()
{
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->lineEdit()->selectAll();
}

void QueryBar::submit()
{
    const QString q = text();
    if (q.isEmpty())
        return;
    emit searchRequested(q);
}

void QueryBar::setLibraryHistory(const QStringList &recent)
{
    m_libraryHistory = recent;
    rebuildHistory();
}

QStringList QueryBar::history() const
{
    QStringList all = m_userHistory;
    for (const QString &q : m_libraryHistory)
        if (!all.contains(q))
            all.push_back(q);
    return all;
}

void QueryBar::addToHistory(const QString &query)
{
    m_userHistory.removeAll(query);
    m_userHistory.prepend(query);
    while (m_userHistory.size() > kHistoryMax)
        m_userHistory.removeLast();
    if (m_settings)
        m_settings->setValue(kHistoryKey, m_userHistory);
    rebuildHistory();
}

void QueryBar::rebuildHistory()
{
    const QString current = m_edit->currentText();
    m_edit->blockSignals(true);
    m_edit->clear();
    m_edit->addItems(history());
    m_edit->setCurrentIndex(-1);
    m_edit->setCurrentText(current);
    m_edit->blockSignals(false);
}

RetrievalOptions QueryBar::options() const
{
    RetrievalOptions o;
    o.top = m_top->value();
    o.decompose = m_decompose->isChecked();
    o.align = m_align->isChecked();
    o.reason = m_reason->isChecked();
    o.jit = m_jit->isChecked();
    o.mode = m_mode->currentData().toString() == "deep" ? ReasoningMode::Deep : ReasoningMode::Fast;
    o.deepCandidates = m_settings ? std::max(0, m_settings->value("query/deepCandidates", 5).toInt()) : 5;
    o.saveToLibrary = true;
    return o;
}

void QueryBar::setBusy(bool busy)
{
    m_search->setEnabled(!busy);
    m_cancel->setEnabled(busy);
    m_busy->setVisible(busy);
    m_stage->setVisible(busy);
    if (busy) {
        m_busy->setRange(0, 0); // indeterminate until the engine reports progress
        m_stage->setText(tr("Searching…"));
    }
}

void QueryBar::setProgress(double fraction, const QString &stage)
{
    m_busy->setRange(0, 1000);
    m_busy->setValue(qRound(std::clamp(fraction, 0.0, 1.0) * 1000));
    if (!stage.isEmpty())
        m_stage->setText(stage);
}

void QueryBar::clearSubQueries()
{
    m_chips->setChips({});
    m_decomposer->clear();
}

int QueryBar::chipCount() const { return m_chips->count(); }

void QueryBar::setSubQueries(const std::vector<SubQuery> &subQueries, const QString &decomposer)
{
    std::vector<ChipsWidget::Chip> chips;
    for (size_t i = 0; i < subQueries.size(); ++i) {
        const SubQuery &s = subQueries[i];
        QString text = QStringLiteral("%1 %2").arg(i + 1).arg(QString::fromStdString(s.text));
        if (s.negated)
            text = tr("%1 (not)").arg(text);
        QStringList tip;
        tip << tr("Kind: %1").arg(kindText(s.kind));
        tip << tr("Weight: %1").arg(s.weight);
        if (!s.concepts.empty()) {
            QStringList concepts;
            for (const std::string &x : s.concepts)
                concepts << QString::fromStdString(x);
            tip << tr("Concepts: %1").arg(concepts.join(QStringLiteral(", ")));
        }
        chips.push_back({text, subQueryColor(static_cast<int>(i)), tip.join(QLatin1Char('\n'))});
    }
    m_chips->setChips(std::move(chips));
    m_decomposer->setText(decomposer.isEmpty() ? QString() : tr("decomposed by %1").arg(decomposer));
}

} // namespace ts
