"""okf.service"""
