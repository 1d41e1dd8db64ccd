"""okf.text"""
