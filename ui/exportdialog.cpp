#include "exportdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace ts {

QString ExportDialog::formatName(MaskFormat format)
{
    switch (format) {
    case MaskFormat::CocoRle: return tr("COCO RLE JSON");
    case MaskFormat::DavisPng: return tr("DAVIS PNG folder (one mask per frame)");
    case MaskFormat::SaV: return tr("SA-V masklet JSON");
    }
    return {};
}

ExportDialog::ExportDialog(const QString &videoKey, bool hasGrounding, bool hasVisible, const QString &startDir,
                           QWidget *parent)
    : QDialog(parent), m_key(videoKey), m_startDir(startDir.isEmpty() ? QDir::homePath() : startDir)
{
    setWindowTitle(tr("Export Masks of %1").arg(videoKey));
    m_format = new QComboBox(this);
    for (MaskFormat f : {MaskFormat::CocoRle, MaskFormat::DavisPng, MaskFormat::SaV})
        m_format->addItem(formatName(f), static_cast<int>(f));
    m_objects = new QComboBox(this);
    if (hasGrounding)
        m_objects->addItem(tr("Objects that satisfy the query"), static_cast<int>(ExportObjects::Grounded));
    if (hasVisible)
        m_objects->addItem(tr("Tracks shown in the inspector"), static_cast<int>(ExportObjects::Visible));
    m_objects->addItem(tr("All tracks"), static_cast<int>(ExportObjects::All));
    m_destination = new QLineEdit(this);
    auto *browse = new QToolButton(this);
    browse->setText(tr("Browse…"));
    auto *destRow = new QHBoxLayout;
    destRow->addWidget(m_destination, 1);
    destRow->addWidget(browse);
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #c03030"));
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Format:"), m_format);
    form->addRow(tr("Objects:"), m_objects);
    form->addRow(tr("Destination:"), destRow);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Export"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QToolButton::clicked, this, &ExportDialog::browse);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::suggestDestination);
    connect(m_destination, &QLineEdit::textChanged, this, &ExportDialog::validate);
    suggestDestination();
    resize(560, sizeHint().height());
}

void ExportDialog::suggestDestination()
{
    const auto format = static_cast<MaskFormat>(m_format->currentData().toInt());
    QString name = m_key;
    if (format == MaskFormat::CocoRle)
        name += QStringLiteral("_coco.json");
    else if (format == MaskFormat::SaV)
        name += QStringLiteral("_sav.json");
    else
        name += QStringLiteral("_masks");
    const QString dir = m_destination->text().isEmpty() ? m_startDir : QFileInfo(m_destination->text()).absolutePath();
    m_destination->setText(QDir(dir).filePath(name));
}

void ExportDialog::browse()
{
    const auto format = static_cast<MaskFormat>(m_format->currentData().toInt());
    QString path;
    if (format == MaskFormat::DavisPng)
        path = QFileDialog::getExistingDirectory(this, tr("Folder for the mask PNGs"),
                                                 QFileInfo(m_destination->text()).absolutePath());
    else
        path = QFileDialog::getSaveFileName(this, tr("Export Masks"), m_destination->text(), tr("JSON (*.json)"));
    if (!path.isEmpty())
        m_destination->setText(format == MaskFormat::DavisPng && QDir(path).exists() && !QDir(path).isEmpty()
                                   ? QDir(path).filePath(m_key + QStringLiteral("_masks"))
                                   : path);
}

void ExportDialog::validate()
{
    const QString dest = m_destination->text().trimmed();
    const auto format = static_cast<MaskFormat>(m_format->currentData().toInt());
    QString problem;
    if (dest.isEmpty())
        problem = tr("Choose where to write the export.");
    else if (!QFileInfo(QFileInfo(dest).absolutePath()).isDir())
        problem = tr("The folder %1 does not exist.").arg(QFileInfo(dest).absolutePath());
    else if (format == MaskFormat::DavisPng && QFileInfo(dest).exists() && !QDir(dest).isEmpty())
        problem = tr("%1 exists and is not empty; choose a new folder name.").arg(dest);
    m_problem->setText(problem);
    m_ok->setEnabled(problem.isEmpty());
}

ExportRequest ExportDialog::request() const
{
    ExportRequest r;
    r.format = static_cast<MaskFormat>(m_format->currentData().toInt());
    r.objects = static_cast<ExportObjects>(m_objects->currentData().toInt());
    r.destination = m_destination->text().trimmed();
    return r;
}

} // namespace ts
