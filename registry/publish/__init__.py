"""What the registry publishes beyond SPARQL: the DCAT-AP-NO catalogue and the download files it
describes.
"""
