"""The roster (名册): the Excel workbook, voters, deputies' and voters' binding, phones, QR codes and posters, the "3+10" report, the demo township."""
